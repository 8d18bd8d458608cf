package dev.chorus.api;

import dev.chorus.app.Settings;
import dev.chorus.cdi.Lookup;
import dev.chorus.host.HostLink;
import dev.chorus.protocol.RequestPaths;
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
import java.nio.charset.StandardCharsets;

/**
 * {@code POST /apps/{id}/events} served here, in front of JAX-RS, when the request is a plain valid
 * trigger: Jersey's routing, providers and response machinery cost more CPU per trigger than
 * everything Chorus itself does for it (profiled: over a third of the request). The whole check and the
 * publishing are the trigger service's ({@link Triggers#publishPlain}), as under the launcher and behind
 * JAX-RS. Anything else (a refusal, {@code info} asked for, a form body) is handed on unchanged, body
 * included, so JAX-RS answers it exactly as before: this filter never writes an error itself.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true, dispatcherTypes = {DispatcherType.REQUEST, DispatcherType.FORWARD})
public class TriggerFastPath extends HttpFilter {
    private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.US_ASCII);
    private Triggers triggers;
    private String prefix;
    private int maxBody;

    /** Looked up, not injected: Weld cannot inject filters in every servlet container. */
    @Override
    public void init() {
        triggers = Lookup.of(Triggers.class);
        Settings settings = Lookup.of(Settings.class);
        prefix = settings.path();
        maxBody = settings.maxRequestSize();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String full = request.getRequestURI().substring(request.getContextPath().length());
        // Served with and without the prefix, as the JAX-RS routes are (PathPrefixFilter).
        String under = RequestPaths.underPrefix(prefix, full);
        String path = under == null ? full : under;
        long length = request.getContentLengthLong();
        // Unknown or oversized bodies, forms, what the launcher already tried, everything else: JAX-RS reads the body.
        if (RequestPaths.triggerApp(path) == null || !"POST".equals(request.getMethod()) || isForm(request.getContentType())
                || length < 0 || length > maxBody || request.getAttribute(HostLink.TRIED_ATTRIBUTE) != null) {
            chain.doFilter(request, response);
            return;
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes((int) length);
        }
        if (!triggers.publishPlain(path, request.getQueryString(), body)) {
            chain.doFilter(new CachedBody(request, body), response);
            return;
        }
        response.setStatus(200);
        response.setContentType("application/json");
        response.setContentLength(EMPTY_OBJECT.length);
        response.getOutputStream().write(EMPTY_OBJECT);
    }

    private static boolean isForm(String contentType) {
        return contentType != null && (contentType.startsWith("application/x-www-form-urlencoded")
                || contentType.startsWith("multipart/"));
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
