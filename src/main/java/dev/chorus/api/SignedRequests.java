package dev.chorus.api;

import dev.chorus.app.App;
import dev.chorus.app.AppRegistry;
import dev.chorus.app.Settings;
import dev.chorus.protocol.HttpSignature;
import dev.chorus.protocol.Signer;
import java.util.Map;

/**
 * How the HTTP API authenticates a request, as Pusher's server SDKs sign it: the app, then {@code
 * auth_key}, {@code auth_timestamp} within the tolerance, and the signature over the path without the
 * route prefix (pusher-php-server and Reverb's convention) or, for SDKs that sign what they send, with
 * it. Pure Java: the JAX-RS filter and both trigger fast paths ask this one check.
 * <p>Thread-safe; holds no state but the settings.
 */
public final class SignedRequests {
    private final AppRegistry apps;
    private final Settings settings;

    public SignedRequests(AppRegistry apps, Settings settings) {
        this.apps = apps;
        this.settings = settings;
    }

    /** The largest body a request may carry ({@code max_request_size}). */
    public int maxBody() {
        return settings.maxRequestSize();
    }

    /** The app the path names, when it exists and is enabled; else a 404 or 403. */
    public App enabledApp(String appId) {
        App app = apps.byId(appId);
        if (app == null) {
            throw new ApiException(404, "No app with id '" + appId + "'");
        }
        if (!app.enabled()) {
            throw new ApiException(403, "App '" + appId + "' is disabled");
        }
        return app;
    }

    /**
     * The whole check: the app, then the key, timestamp and signature, in that order.
     * @return the app, when the request is authentic; else an {@link ApiException} (401, 403, 404)
     */
    public App authenticate(String appId, String method, String unprefixed, Map<String, String> query, byte[] body) {
        App app = enabledApp(appId);
        verify(app, method, unprefixed, query, body);
        return app;
    }

    /**
     * The key, timestamp and signature checks of a request to an {@link #enabledApp}, in that order.
     * @param unprefixed the request path without the route prefix, starting with {@code /}
     * @param query      the decoded query parameters, first value of each
     */
    public void verify(App app, String method, String unprefixed, Map<String, String> query, byte[] body) {
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
        long tolerance = settings.timestampTolerance().toSeconds();
        long skew = Math.abs(System.currentTimeMillis() / 1000 - seconds);
        if (skew > tolerance) {
            throw new ApiException(401, "auth_timestamp is " + skew + " s away from the server's clock; the limit is "
                    + tolerance + " s");
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
}
