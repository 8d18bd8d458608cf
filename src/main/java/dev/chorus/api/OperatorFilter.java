package dev.chorus.api;

import dev.chorus.app.Settings;
import dev.chorus.cdi.Lookup;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.lang.reflect.Method;

/**
 * Applies {@link OperatorAccess} to every {@link OperatorOnly} route. The caller's address is the
 * servlet request's peer address, so the same rule holds under the launcher and in any container.
 */
@OperatorOnly("This route")
@Provider
@Priority(Priorities.AUTHENTICATION)
public class OperatorFilter implements ContainerRequestFilter {
    /** Headers a reverse proxy adds: a request carrying one came from elsewhere, whatever the socket says. */
    private static final String[] FORWARDING = {"Forwarded", "X-Forwarded-For", "X-Real-IP"};

    @Context
    ResourceInfo resource;

    private volatile OperatorAccess access;

    @Override
    public void filter(ContainerRequestContext request) {
        OperatorOnly rule = rule();
        String token = OperatorAccess.bearer(request.getHeaderString("Authorization"));
        if (token == null && rule.tokenInQuery()) {
            token = request.getUriInfo().getQueryParameters().getFirst("token");
        }
        Cookie cookie = rule.cookie() ? request.getCookies().get(OperatorAccess.COOKIE) : null;
        boolean relayed = false;
        for (String header : FORWARDING) {
            relayed |= request.getHeaderString(header) != null;
        }
        OperatorAccess.Verdict verdict = access().decide(new OperatorAccess.Caller(peer(request), relayed, token,
                cookie == null ? null : cookie.getValue()));
        if (verdict == OperatorAccess.Verdict.ALLOWED) {
            return;
        }
        boolean unauthorized = verdict == OperatorAccess.Verdict.NEEDS_TOKEN;
        String message = OperatorAccess.refusal(verdict, rule.value())
                + (unauthorized && rule.tokenInQuery() ? ", or open it once as ?token=<token>" : "");
        Response.ResponseBuilder refusal = Response.fromResponse(ApiExceptionMapper.json(unauthorized ? 401 : 403, message))
                .header("Cache-Control", "no-store");
        if (unauthorized) {
            refusal.header("WWW-Authenticate", "Bearer realm=\"chorus\"");
        }
        request.abortWith(refusal.build());
    }

    /**
     * The socket's peer address, which {@link CanonicalPathFilter} (first of every request) leaves as a
     * request attribute: a {@code @Context HttpServletRequest} field would need an HK2 proxy, which some
     * class loader set-ups (Tomcat embedded) cannot build.
     */
    private static String peer(ContainerRequestContext request) {
        Object peer = request.getProperty(CanonicalPathFilter.PEER_ATTRIBUTE);
        return peer instanceof String address ? address : null;
    }

    OperatorAccess access() {
        OperatorAccess found = access;
        if (found == null) {
            // Looked up, not injected: providers are not CDI beans in every container (see RequestMetricsFilter).
            found = new OperatorAccess(Lookup.of(Settings.class).metricsToken());
            access = found;
        }
        return found;
    }

    private OperatorOnly rule() {
        Method method = resource == null ? null : resource.getResourceMethod();
        OperatorOnly rule = method == null ? null : method.getAnnotation(OperatorOnly.class);
        if (rule == null && resource != null && resource.getResourceClass() != null) {
            rule = resource.getResourceClass().getAnnotation(OperatorOnly.class);
        }
        return rule != null ? rule : OperatorFilter.class.getAnnotation(OperatorOnly.class);
    }
}
