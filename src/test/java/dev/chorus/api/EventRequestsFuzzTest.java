package dev.chorus.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.app.App;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The HTTP API's body parser on arbitrary input: it accepts a body or refuses it with a 4xx
 * {@link ApiException}; nothing else (no other exception, so never a 500) gets out.
 */
class EventRequestsFuzzTest {
    private static final App APP = App.builder("1", "k", "s").name("n").maxPendingFrames(100).build();

    @Property(tries = 2_000)
    void anyBytesAreParsedOrRefusedWithA4xx(@ForAll byte[] body) {
        acceptedOrRefused(body);
    }

    @Property(tries = 2_000)
    void jsonShapedBodiesAreParsedOrRefusedWithA4xx(@ForAll("events") String body) {
        acceptedOrRefused(body.getBytes(StandardCharsets.UTF_8));
    }

    private static void acceptedOrRefused(byte[] body) {
        try {
            JsonNode root = EventRequests.parse(body);
            EventRequests.event(APP, root, false);
            EventRequests.event(APP, root, true);
        } catch (ApiException refused) {
            assertTrue(refused.status() >= 400 && refused.status() < 500, "status " + refused.status());
        }
    }

    @Provide
    Arbitrary<String> events() {
        Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(300),
                Arbitraries.of("my-event", "", "client-x", "pusher:x"));
        Arbitrary<String> channels = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(200),
                Arbitraries.of("c", "private-a", "presence-b", "#server-to-user-1", "a b", "private-encrypted-x"));
        Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(50).map(v -> "\"" + v.replace("\"", "") + "\""),
                Arbitraries.of("null", "1", "-1e999", "[]", "{}", "true", "[\"c\",\"d\"]", "{\"a\":{\"b\":[1]}}"));
        return Arbitraries.of("name", "channel", "channels", "data", "socket_id", "info", "x")
                .flatMap(field -> Arbitraries.oneOf(names, channels, values).map(value -> "\"" + field + "\":" + quoted(value)))
                .list().ofMaxSize(6).map(fields -> "{" + String.join(",", fields) + "}");
    }

    private static String quoted(String value) {
        return value.startsWith("\"") || value.startsWith("[") || value.startsWith("{") || value.matches("null|true|-?[0-9e.]+")
                ? value : "\"" + value.replace("\\", "").replace("\"", "") + "\"";
    }
}
