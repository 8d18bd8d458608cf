package dev.chorus.api;

import dev.chorus.app.App;
import dev.chorus.app.Settings;
import dev.chorus.config.Chorus;
import dev.chorus.config.Lookup;
import dev.chorus.host.HostLink;
import dev.chorus.host.TriggerEntry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code POST /apps/{id}/events} served here, in front of JAX-RS, when the request is a plain valid
 * trigger: Jersey's routing, providers and response machinery cost more CPU per trigger than
 * everything Chorus itself does for it (profiled: over a third of the request). The checks and the
 * publishing are the same code {@link SignedRequestFilter} and {@link AppsResource} use. Anything else
 * (a refusal, {@code info} asked for, a form body) is handed on unchanged, body included, so JAX-RS
 * answers it exactly as before: this filter never writes an error itself.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true, dispatcherTypes = {DispatcherType.REQUEST, DispatcherType.FORWARD})
public class TriggerFastPath extends HttpFilter {
    private static final String SUFFIX = "/events";
    private static final String ROUTE = "apps/{appId}/events";
    private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.US_ASCII);
    private Chorus chorus;

    /** Looked up, not injected: Weld cannot inject filters in every servlet container. */
    @Override
    public void init() {
        chorus = Lookup.chorus();
        HostLink host = HostLink.in(getServletContext().getAttribute(HostLink.ATTRIBUTE));
        if (host != null) {
            // The launcher serves triggers in front of the servlet container with this same code.
            host.offerTriggers(entry(chorus));
        }
    }

    private static TriggerEntry entry(Chorus chorus) {
        return (path, rawQuery, body) -> {
            String appId = appId(path);
            if (appId == null || !publish(chorus, appId, path, rawQuery, body)) {
                return false;
            }
            chorus.metrics().httpRequest(ROUTE, 200);
            return true;
        };
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        Settings settings = chorus.settings();
        if (!settings.path().isEmpty() && path.startsWith(settings.path() + "/")) {
            path = path.substring(settings.path().length());
        }
        String appId = appId(path);
        long length = request.getContentLengthLong();
        // Unknown or oversized bodies, forms, what the launcher already tried, everything else: JAX-RS reads the body.
        if (appId == null || !"POST".equals(request.getMethod()) || isForm(request.getContentType())
                || length < 0 || length > settings.maxRequestSize() || request.getAttribute(HostLink.TRIED_ATTRIBUTE) != null) {
            chain.doFilter(request, response);
            return;
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes((int) length);
        }
        if (!publish(chorus, appId, path, request.getQueryString(), body)) {
            chain.doFilter(new CachedBody(request, body), response);
            return;
        }
        response.setStatus(200);
        response.setContentType("application/json");
        response.setContentLength(EMPTY_OBJECT.length);
        response.getOutputStream().write(EMPTY_OBJECT);
        chorus.metrics().httpRequest(ROUTE, 200);
    }

    /** True when the trigger was valid and published; false leaves the answer to JAX-RS. */
    private static boolean publish(Chorus chorus, String appId, String path, String rawQuery, byte[] body) {
        try {
            App app = SignedRequestFilter.enabledApp(chorus, appId);
            SignedRequestFilter.verify(chorus.settings(), app, "POST", path, query(rawQuery), body);
            EventRequests.Event event = EventRequests.event(app, EventRequests.parse(body), false);
            if (!event.info().isEmpty()) {
                return false;
            }
            // Over the rate: JAX-RS answers the 429 (it counts again, but the second is already over its limit).
            // Checked inline so a limit that is off costs one comparison and no allocation here.
            if (app.limits().maxBackendEventsPerSecond() >= 0) {
                AppsResource.limitEvents(chorus, app, java.util.List.of(event));
            }
            for (String channel : event.channels()) {
                chorus.broadcaster().publish(app, channel, event.name(), event.data(), event.socketId());
            }
            return true;
        } catch (ApiException | IllegalArgumentException refused) {
            return false;
        }
    }

    /** {@code /apps/{id}/events} → the id; null for any other path. */
    private static String appId(String path) {
        if (!path.startsWith("/apps/") || !path.endsWith(SUFFIX)) {
            return null;
        }
        String id = path.substring("/apps/".length(), path.length() - SUFFIX.length());
        return id.isEmpty() || id.indexOf('/') >= 0 ? null : id;
    }

    private static boolean isForm(String contentType) {
        return contentType != null && (contentType.startsWith("application/x-www-form-urlencoded")
                || contentType.startsWith("multipart/"));
    }

    /** First value of each parameter, decoded as JAX-RS decodes them. */
    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw == null) {
            return query;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            query.putIfAbsent(name, value);
        }
        return query;
    }

    /** The request as it came, with the body this filter already read. */
    private static final class CachedBody extends HttpServletRequestWrapper {
        private final byte[] body;

        CachedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return in.read(buffer, offset, length);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("synchronous body");
                }
            };
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
