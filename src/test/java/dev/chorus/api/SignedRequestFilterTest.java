package dev.chorus.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chorus.app.App;
import dev.chorus.app.Settings;
import dev.chorus.app.SettingsLoader;
import dev.chorus.protocol.HttpSignature;
import dev.chorus.protocol.Signer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The signed-request check on its own: what a Pusher SDK signs passes, anything altered does not. */
class SignedRequestFilterTest {
    private final Settings settings = new SettingsLoader(Map.of(),
            Map.of("REVERB_APP_ID", "1", "REVERB_APP_KEY", "key", "REVERB_APP_SECRET", "secret")).load(null);
    private final App app = settings.apps().get(0);

    private Map<String, String> signed(String method, String path, Map<String, String> extra, byte[] body) {
        Map<String, String> query = new HashMap<>(extra);
        query.put("auth_key", "key");
        query.put("auth_timestamp", String.valueOf(System.currentTimeMillis() / 1000));
        query.put("auth_version", "1.0");
        if (body.length > 0) {
            query.put("body_md5", HttpSignature.md5Hex(body));
        }
        query.put("auth_signature", new Signer("secret").sign(HttpSignature.stringToSign(method, path, query, body)));
        return query;
    }

    @Test
    void whatAnSdkSignsIsAccepted() {
        byte[] body = "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"{}\"}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> query = signed("POST", "/apps/1/events", Map.of(), body);
        assertDoesNotThrow(() -> SignedRequestFilter.verify(settings, app, "POST", "/apps/1/events", query, body));
    }

    @Test
    void anotherPathMethodOrBodyBreaksTheSignature() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> query = signed("POST", "/apps/1/events", Map.of(), body);
        assertEquals(401, assertThrows(ApiException.class, () ->
                SignedRequestFilter.verify(settings, app, "POST", "/apps/1/batch_events", query, body)).status());
        assertEquals(401, assertThrows(ApiException.class, () ->
                SignedRequestFilter.verify(settings, app, "GET", "/apps/1/events", query, body)).status());
        assertEquals(401, assertThrows(ApiException.class, () ->
                SignedRequestFilter.verify(settings, app, "POST", "/apps/1/events", query, "{ }".getBytes(StandardCharsets.UTF_8))).status());
    }

    @Test
    void aCapturedSignedQueryCannotBeRecutThroughAnEncodedAmpersand() {
        byte[] none = new byte[0];
        Map<String, String> original = signed("GET", "/apps/1/channels", Map.of("filter_by_prefix", "presence-"), none);
        // The same string to sign, cut differently: auth_version swallows the filter.
        Map<String, String> recut = new HashMap<>(original);
        recut.remove("filter_by_prefix");
        recut.put("auth_version", "1.0&filter_by_prefix=presence-");
        assertEquals(HttpSignature.stringToSign("GET", "/apps/1/channels", original, none),
                HttpSignature.stringToSign("GET", "/apps/1/channels", recut, none), "the attack's premise");
        assertEquals(401, assertThrows(ApiException.class, () ->
                SignedRequestFilter.verify(settings, app, "GET", "/apps/1/channels", recut, none)).status());
        assertDoesNotThrow(() -> SignedRequestFilter.verify(settings, app, "GET", "/apps/1/channels", original, none));
    }

    @Test
    void aStaleTimestampOrAnotherAppsKeyIsRefused() {
        Map<String, String> query = signed("GET", "/apps/1/channels", Map.of(), new byte[0]);
        query.put("auth_timestamp", String.valueOf(System.currentTimeMillis() / 1000 - 601));
        assertEquals(401, assertThrows(ApiException.class, () ->
                SignedRequestFilter.verify(settings, app, "GET", "/apps/1/channels", query, new byte[0])).status());
        Map<String, String> otherKey = signed("GET", "/apps/1/channels", Map.of(), new byte[0]);
        otherKey.put("auth_key", "other");
        assertEquals(401, assertThrows(ApiException.class, () ->
                SignedRequestFilter.verify(settings, app, "GET", "/apps/1/channels", otherKey, new byte[0])).status());
    }
}
