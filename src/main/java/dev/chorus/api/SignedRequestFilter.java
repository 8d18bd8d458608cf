package dev.chorus.api;

import dev.chorus.app.App;
import dev.chorus.app.Settings;
import dev.chorus.config.Chorus;
import dev.chorus.config.Lookup;
import dev.chorus.protocol.HttpSignature;
import dev.chorus.protocol.Signer;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Authenticates every request matched to a {@link Signed} resource (the whole HTTP API under
 * {@code /apps/{id}}) as Pusher's server SDKs sign it: the app, then
 * the size, then {@code auth_key}, {@code auth_timestamp} within the tolerance, and the signature over
 * the path without the route prefix (pusher-php-server and Reverb's convention) or, for SDKs that sign
 * what they send, with it. The body is read here (bounded by the request size limit) and handed on.
 */
@Provider
@Signed
@Priority(Priorities.AUTHENTICATION)
public class SignedRequestFilter implements ContainerRequestFilter {
    private volatile Chorus chorus;

    private Chorus chorus() {
        Chorus found = chorus;
        if (found == null) {
            // Looked up, not injected: providers are not CDI beans in every container.
            found = Lookup.chorus();
            chorus = found;
        }
        return found;
    }

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        // Name-bound: this runs because the matched resource is signed, whatever the path looked like.
        // The path is the decoded one: odd spellings were refused before routing (CanonicalPathFilter).
        String path = request.getUriInfo().getPath();
        Settings settings = chorus().settings();
        App app = enabledApp(chorus(), request.getUriInfo().getPathParameters().getFirst("appId"));
        byte[] body = readBody(request, settings.maxRequestSize());
        MultivaluedMap<String, String> raw = request.getUriInfo().getQueryParameters(true);
        Map<String, String> query = new HashMap<>();
        raw.forEach((name, values) -> query.put(name, values.isEmpty() ? "" : values.get(0)));
        verify(settings, app, request.getMethod(), path.startsWith("/") ? path : "/" + path, query, body);
        request.setEntityStream(new ByteArrayInputStream(body));
    }

    /** The app the path names, when it exists and is enabled. */
    static App enabledApp(Chorus chorus, String appId) {
        App app = chorus.apps().byId(appId);
        if (app == null) {
            throw new ApiException(404, "No app with id '" + appId + "'");
        }
        if (!app.enabled()) {
            throw new ApiException(403, "App '" + appId + "' is disabled");
        }
        return app;
    }

    /**
     * The key, timestamp and signature checks, in that order.
     * @param unprefixed the request path without the route prefix, starting with {@code /}
     * @param query      the decoded query parameters, first value of each
     */
    static void verify(Settings settings, App app, String method, String unprefixed, Map<String, String> query, byte[] body) {
        for (Map.Entry<String, String> parameter : query.entrySet()) {
            // The string to sign joins decoded pairs as k=v&k=v: an encoded '&' (or '=' in a name) would let
            // a captured signed URL be re-cut into other parameters with the same signature.
            if (parameter.getKey().indexOf('&') >= 0 || parameter.getKey().indexOf('=') >= 0
                    || parameter.getValue().indexOf('&') >= 0) {
                throw new ApiException(401, "Query parameters must not contain an encoded '&' (or '=' in a name)");
            }
        }
        String key = query.get(HttpSignature.AUTH_KEY);
        if (key == null || !key.equals(app.key())) {
            throw new ApiException(401, "auth_key must be the app's key");
        }
        String timestamp = query.get(HttpSignature.AUTH_TIMESTAMP);
        long seconds;
        try {
            seconds = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            throw new ApiException(401, "auth_timestamp is required (seconds since the epoch)");
        }
        long skew = Math.abs(System.currentTimeMillis() / 1000 - seconds);
        if (skew > settings.timestampTolerance().toSeconds()) {
            throw new ApiException(401, "auth_timestamp is " + skew + " s away from the server's clock; the limit is "
                    + settings.timestampTolerance().toSeconds() + " s");
        }
        String signature = query.get(HttpSignature.AUTH_SIGNATURE);
        if (signature == null) {
            throw new ApiException(401, "auth_signature is required");
        }
        Signer signer = new Signer(app.secret());
        boolean valid = signer.verify(HttpSignature.stringToSign(method, unprefixed, query, body), signature)
                || (!settings.path().isEmpty()
                && signer.verify(HttpSignature.stringToSign(method, settings.path() + unprefixed, query, body), signature));
        if (!valid) {
            throw new ApiException(401, "Invalid signature: check the app secret, and that body_md5 matches the body");
        }
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
