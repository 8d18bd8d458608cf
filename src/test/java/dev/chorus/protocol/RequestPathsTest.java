package dev.chorus.protocol;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathsTest {
    @ParameterizedTest
    @ValueSource(strings = {"/", "/up", "/apps/1/events", "/apps/1/channels/presence-room", "/realtime/apps/1/events",
            "/apps/1/channels/private-a%3Bb%40c%2Cd%3De", "/apps/%31/events", "/app/key", "/dashboard/", "/a.b/c..d/.e"})
    void canonicalPathsAreServed(String path) {
        assertNull(RequestPaths.refusal(path), path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/apps;x/1/events", "/apps/1;x/events", "/apps/1/events;", "//apps/1/events", "/apps//1/events",
            "/apps/1/./events", "/apps/1/../1/events", "/./apps/1/events", "/apps/1/events/..", "/apps%2F1/events",
            "/apps%2f1/events", "/apps/1/%2E%2E/events", "/apps/1/%2e/events", "/apps/1/events%00", "/apps/%251/events",
            "/apps\\1/events", "/apps/1%5Cevents", "/apps/1/events%", "/apps/1/events%G0", "apps/1/events", "/apps/1/\u0001"})
    void ambiguousSpellingsAreRefused(String path) {
        assertNotNull(RequestPaths.refusal(path), path);
    }

    @Property
    void anyStringIsEitherServedOrRefusedWithoutThrowing(@ForAll String path) {
        RequestPaths.refusal(path);
        RequestPaths.refusal("/" + path);
    }

    @Property
    void noServedPathDecodesToADotSegmentOrASeparatorTheRouterCouldSeeDifferently(@ForAll String path) {
        String candidate = "/" + path;
        if (RequestPaths.refusal(candidate) == null) {
            String decoded = java.net.URLDecoder.decode(candidate.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
            org.junit.jupiter.api.Assertions.assertFalse(decoded.contains("/./") || decoded.contains("/../")
                    || decoded.endsWith("/.") || decoded.endsWith("/..")
                    || decoded.contains("//") || decoded.contains("\\"), candidate);
        }
    }
}
