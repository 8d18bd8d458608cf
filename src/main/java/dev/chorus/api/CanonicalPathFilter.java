package dev.chorus.api;

import dev.chorus.protocol.RequestPaths;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Refuses, with a JSON 400, every request whose path has more than one reading ({@link RequestPaths}):
 * the first filter of the web app ({@code web.xml} orders it before the annotated ones), so no
 * route, prefix rule or signature check ever sees such a path. The launcher refuses the same paths
 * in front of the servlet container; this copy covers Tomcat, Jetty and Payara.
 */
public class CanonicalPathFilter extends HttpFilter {
    /** Request attribute: the socket's peer address, for JAX-RS filters (which see attributes as properties). */
    static final String PEER_ATTRIBUTE = "dev.chorus.peer";

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String refusal = RequestPaths.refusal(request.getRequestURI());
        if (refusal != null) {
            response.setStatus(400);
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.getWriter().write("{\"error\":\"" + refusal.replace("\\", "\\\\") + "\"}");
            return;
        }
        request.setAttribute(PEER_ATTRIBUTE, request.getRemoteAddr());
        chain.doFilter(request, response);
    }
}
