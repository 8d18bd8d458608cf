package dev.chorus.api;

import dev.chorus.app.Settings;
import dev.chorus.cdi.Lookup;
import dev.chorus.protocol.RequestPaths;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Serves the HTTP routes under the configured prefix ({@code REVERB_SERVER_PATH}): a request for
 * {@code /prefix/up} is forwarded to {@code /up}. WebSocket upgrades pass untouched; the endpoint is
 * registered with the prefix already.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class PathPrefixFilter extends HttpFilter {
    private String prefix;

    /** Looked up, not injected: Weld cannot inject filters in every servlet container. */
    @Override
    public void init() {
        prefix = Lookup.of(Settings.class).path();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String under = prefix.isEmpty() ? null : RequestPaths.underPrefix(prefix, path);
        if (under != null && !"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))
                && request.getAttribute("jakarta.servlet.forward.request_uri") == null) {
            request.getRequestDispatcher(under).forward(request, response);
            return;
        }
        chain.doFilter(request, response);
    }
}
