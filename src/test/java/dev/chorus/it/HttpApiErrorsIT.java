package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every way an HTTP API request can be wrong: a 4xx with a JSON body naming the problem, never a 500. */
class HttpApiErrorsIT {
    static int port;
    static final String EVENT = "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\"}";

    @BeforeAll
    static void server() throws Exception {
        port = TestServer.shared().port;
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static void assertError(Http.Reply reply, int status, String message) {
        assertEquals(status, reply.status(), reply.body());
        assertEquals("{\"error\":\"" + message + "\"}", reply.body());
        assertTrue(reply.response().headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    void aCorrectlySignedRequestIsAccepted() throws Exception {
        assertEquals(200, Http.signed(port, "POST", "/apps/1001/events", EVENT).status());
    }

    @Test
    void badSignatureIs401() throws Exception {
        Http.Reply reply = Http.send(port, "POST", "/apps/1001/events", "/apps/1001/events", EVENT, TestServer.KEY,
                "not-the-secret", now(), Map.of(), EVENT);
        assertError(reply, 401, "Invalid signature: check the app secret, and that body_md5 matches the body");
    }

    @Test
    void wrongKeyIs401EvenWhenSignedWithTheRightSecret() throws Exception {
        Http.Reply reply = Http.send(port, "POST", "/apps/1001/events", "/apps/1001/events", EVENT, "other-key",
                TestServer.SECRET, now(), Map.of(), EVENT);
        assertError(reply, 401, "auth_key must be the app's key");
    }

    @Test
    void staleTimestampIs401() throws Exception {
        Http.Reply old = Http.send(port, "POST", "/apps/1001/events", "/apps/1001/events", EVENT, TestServer.KEY,
                TestServer.SECRET, now() - 700, Map.of(), EVENT);
        assertEquals(401, old.status());
        assertTrue(old.body().contains("auth_timestamp is 70"), old.body());
        Http.Reply future = Http.send(port, "POST", "/apps/1001/events", "/apps/1001/events", EVENT, TestServer.KEY,
                TestServer.SECRET, now() + 700, Map.of(), EVENT);
        assertEquals(401, future.status());
    }

    @Test
    void tamperedBodyIs401() throws Exception {
        String tampered = EVENT.replace("\"d\"", "\"evil\"");
        Http.Reply reply = Http.send(port, "POST", "/apps/1001/events", "/apps/1001/events", tampered, TestServer.KEY,
                TestServer.SECRET, now(), Map.of(), EVENT);
        assertEquals(401, reply.status());
    }

    @Test
    void missingAuthenticationIs401() throws Exception {
        Http.Reply reply = Http.raw("POST", URI.create("http://127.0.0.1:" + port + "/apps/1001/events"), EVENT);
        assertError(reply, 401, "auth_key must be the app's key");
    }

    @Test
    void unknownAppIs404() throws Exception {
        assertError(Http.signed(port, "POST", "/apps/9999/events", EVENT), 404, "No app with id '9999'");
    }

    @Test
    void disabledAppIs403() throws Exception {
        Http.Reply reply = Http.send(port, "POST", "/apps/1004/events", "/apps/1004/events", EVENT, "disabled-key",
                "disabled-secret", now(), Map.of(), EVENT);
        assertError(reply, 403, "App '1004' is disabled");
    }

    @Test
    void unknownRouteIs404() throws Exception {
        assertError(Http.signed(port, "GET", "/apps/1001/nothing", Map.of()), 404, "Not found");
        assertError(Http.raw("GET", URI.create("http://127.0.0.1:" + port + "/apps"), null), 404, "Not found");
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        Http.Reply reply = Http.signed(port, "GET", "/apps/1001/events", Map.of());
        assertError(reply, 405, "Method not allowed");
        assertTrue(reply.response().headers().firstValue("Allow").orElse("").contains("POST"));
        assertError(Http.signed(port, "DELETE", "/apps/1001/channels", Map.of()), 405, "Method not allowed");
    }

    @Test
    void oversizeRequestIs413() throws Exception {
        String big = "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"" + "x".repeat(12_000) + "\"}";
        Http.Reply reply = Http.signed(port, "POST", "/apps/1001/events", big);
        assertEquals(413, reply.status(), reply.body());
        assertTrue(reply.body().contains("the limit is 10000"), reply.body());
    }

    @Test
    void oversizeDataIs413NamingTheField() throws Exception {
        Http.Reply small = Http.send(port, "POST", "/apps/1001/events", "/apps/1001/events",
                "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"" + "x".repeat(9_900) + "\"}", TestServer.KEY, TestServer.SECRET,
                now(), Map.of(), "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"" + "x".repeat(9_900) + "\"}");
        assertEquals(200, small.status(), small.body());
        String eventName = "{\"name\":\"" + "n".repeat(201) + "\",\"channel\":\"c\",\"data\":\"d\"}";
        assertError(Http.signed(port, "POST", "/apps/1001/events", eventName), 413, "name is 201 characters; the limit is 200");
    }

    @Test
    void tooManyChannelsIs400() throws Exception {
        StringBuilder channels = new StringBuilder();
        for (int i = 0; i < 101; i++) {
            channels.append(i == 0 ? "" : ",").append("\"c").append(i).append('"');
        }
        assertError(Http.signed(port, "POST", "/apps/1001/events", "{\"name\":\"e\",\"data\":\"d\",\"channels\":[" + channels + "]}"),
                400, "channels has 101 entries; the limit is 100");
    }

    @Test
    void tooManyBatchEventsIs400() throws Exception {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 11; i++) {
            batch.append(i == 0 ? "" : ",").append(EVENT);
        }
        assertError(Http.signed(port, "POST", "/apps/1001/batch_events", "{\"batch\":[" + batch + "]}"), 400,
                "batch has 11 events; the limit is 10");
    }

    @Test
    void badJsonIs400NeverA500() throws Exception {
        assertError(Http.signed(port, "POST", "/apps/1001/events", "{not json"), 400, "The body is not valid JSON");
        assertError(Http.signed(port, "POST", "/apps/1001/events", "[1]"), 400, "The body must be a JSON object");
        assertError(Http.signed(port, "POST", "/apps/1001/events", ""), 400, "The body must be a JSON object");
        assertError(Http.signed(port, "POST", "/apps/1001/events", "{\"name\":\"e\",\"channel\":\"c\"}"), 400,
                "data is required (a string; encode objects as JSON text)");
        assertError(Http.signed(port, "POST", "/apps/1001/events", "{\"name\":\"e\",\"channel\":\"c\",\"data\":{}}"), 400,
                "data must be a string");
        assertError(Http.signed(port, "POST", "/apps/1001/events", "{\"name\":\"e\",\"channel\":\"bad channel\",\"data\":\"d\"}"),
                400, "channels: 'bad channel' is not a valid channel name (1-164 of A-Z a-z 0-9 _ - = @ , . ;)");
        assertError(Http.signed(port, "POST", "/apps/1001/events", "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\",\"socket_id\":\"x\"}"),
                400, "socket_id must look like 123.456");
        assertError(Http.signed(port, "POST", "/apps/1001/batch_events", "{\"batch\":[{\"name\":\"e\",\"data\":\"d\"}]}"), 400,
                "batch[0]: channel or channels is required");
    }
}
