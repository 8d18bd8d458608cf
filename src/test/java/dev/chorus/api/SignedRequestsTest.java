package dev.chorus.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chorus.app.App;
import dev.chorus.app.StaticAppRegistry;
import dev.chorus.app.Settings;
import dev.chorus.app.SettingsLoader;
import dev.chorus.protocol.HttpSignature;
import dev.chorus.protocol.Signer;
import java.nio.charset.StandardCharsets;
import dev.chorus.testing.TestApps;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The signed-request check on its own: what a Pusher SDK signs passes, anything altered does not. */
class SignedRequestsTest {
    private final Settings settings = new SettingsLoader(Map.of(),
            Map.of("REVERB_APP_ID", "1", "REVERB_APP_KEY", "key", "REVERB_APP_SECRET", "secret")).load(null);
    private final SignedRequests check = new SignedRequests(new StaticAppRegistry(settings.apps()), settings);

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
        assertDoesNotThrow(() -> check.authenticate("1", "POST", "/apps/1/events", query, body));
    }

    @Test
    void anotherPathMethodOrBodyBreaksTheSignature() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> query = signed("POST", "/apps/1/events", Map.of(), body);
        assertEquals(401, assertThrows(ApiException.class, () ->
                check.authenticate("1", "POST", "/apps/1/batch_events", query, body)).status());
        assertEquals(401, assertThrows(ApiException.class, () ->
                check.authenticate("1", "GET", "/apps/1/events", query, body)).status());
        assertEquals(401, assertThrows(ApiException.class, () ->
                check.authenticate("1", "POST", "/apps/1/events", query, "{ }".getBytes(StandardCharsets.UTF_8))).status());
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
                check.authenticate("1", "GET", "/apps/1/channels", recut, none)).status());
        assertDoesNotThrow(() -> check.authenticate("1", "GET", "/apps/1/channels", original, none));
    }

    @Test
    void aStaleTimestampOrAnotherAppsKeyIsRefused() {
        Map<String, String> query = signed("GET", "/apps/1/channels", Map.of(), new byte[0]);
        query.put("auth_timestamp", String.valueOf(System.currentTimeMillis() / 1000 - 601));
        assertEquals(401, assertThrows(ApiException.class, () ->
                check.authenticate("1", "GET", "/apps/1/channels", query, new byte[0])).status());
        Map<String, String> otherKey = signed("GET", "/apps/1/channels", Map.of(), new byte[0]);
        otherKey.put("auth_key", "other");
        assertEquals(401, assertThrows(ApiException.class, () ->
                check.authenticate("1", "GET", "/apps/1/channels", otherKey, new byte[0])).status());
    }

    @Test
    void anUnknownAppIsNotFoundAndADisabledOneIsForbiddenBeforeAnySignatureIsRead() {
        App disabled = TestApps.app().enabled(false).build();
        SignedRequests withDisabled = new SignedRequests(new StaticAppRegistry(List.of(disabled)), settings);
        Map<String, String> query = signed("GET", "/apps/1/channels", Map.of(), new byte[0]);
        assertEquals(404, assertThrows(ApiException.class, () ->
                check.authenticate("2", "GET", "/apps/2/channels", query, new byte[0])).status());
        assertEquals(403, assertThrows(ApiException.class, () ->
                withDisabled.authenticate("1", "GET", "/apps/1/channels", query, new byte[0])).status());
    }

    @Test
    void underARoutePrefixBothTheBareAndThePrefixedPathMayBeSigned() {
        Settings prefixed = new SettingsLoader(Map.of(), Map.of("REVERB_APP_ID", "1", "REVERB_APP_KEY", "key",
                "REVERB_APP_SECRET", "secret", "REVERB_SERVER_PATH", "/ws")).load(null);
        SignedRequests underPrefix = new SignedRequests(new StaticAppRegistry(prefixed.apps()), prefixed);
        Map<String, String> bare = signed("GET", "/apps/1/channels", Map.of(), new byte[0]);
        Map<String, String> withPrefix = signed("GET", "/ws/apps/1/channels", Map.of(), new byte[0]);
        assertEquals("1", underPrefix.authenticate("1", "GET", "/apps/1/channels", bare, new byte[0]).id());
        assertEquals("1", underPrefix.authenticate("1", "GET", "/apps/1/channels", withPrefix, new byte[0]).id());
        assertEquals(401, assertThrows(ApiException.class, () ->
                check.authenticate("1", "GET", "/apps/1/channels", withPrefix, new byte[0])).status(), "no prefix configured");
    }
}
