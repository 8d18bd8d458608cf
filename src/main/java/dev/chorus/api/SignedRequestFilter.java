package dev.chorus.api;

import dev.chorus.app.App;
import dev.chorus.cdi.Lookup;
import dev.chorus.protocol.RequestPaths;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Authenticates every request matched to a {@link Signed} resource (the whole HTTP API under
 * {@code /apps/{id}}) with {@link SignedRequests}: the app, then the size, then the key, timestamp and
 * signature. The body is read here (bounded by the request size limit) and handed on.
 */
@Provider
@Signed
@Priority(Priorities.AUTHENTICATION)
public class SignedRequestFilter implements ContainerRequestFilter {
    private volatile SignedRequests check;

    private SignedRequests check() {
        SignedRequests found = check;
        if (found == null) {
            // Looked up, not injected: providers are not CDI beans in every container.
            found = Lookup.of(SignedRequests.class);
            check = found;
        }
        return found;
    }

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        // Name-bound: this runs because the matched resource is signed, whatever the path looked like.
        // The path is the decoded one: odd spellings were refused before routing (CanonicalPathFilter).
        String path = request.getUriInfo().getPath();
        SignedRequests check = check();
        String appId = request.getUriInfo().getPathParameters().getFirst("appId");
        App app = check.enabledApp(appId);
        byte[] body = readBody(request, check.maxBody());
        Map<String, String> query;
        try {
            // Read as the fast paths read it, so every entry signs and checks the same parameters.
            query = RequestPaths.query(request.getUriInfo().getRequestUri().getRawQuery());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("The query string is not valid percent-encoding");
        }
        check.verify(app, request.getMethod(), path.startsWith("/") ? path : "/" + path, query, body);
        request.setEntityStream(new ByteArrayInputStream(body));
    }

    private static byte[] readBody(ContainerRequestContext request, int limit) throws IOException {
        int declared = request.getLength();
        if (declared > limit) {
            throw new ApiException(413, "Request body is " + declared + " bytes; the limit is " + limit);
        }
        try (InputStream in = request.getEntityStream()) {
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                throw new ApiException(413, "Request body is over the limit of " + limit + " bytes");
            }
            return body;
        }
    }
}
