package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Event;
import com.pusher.rest.data.Result;
import dev.chorus.testing.Await;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Pusher HTTP API driven by the official pusher-http-java SDK, with raw Pusher sockets listening. */
class HttpApiIT {
    static int port;
    static Pusher sdk;

    @BeforeAll
    static void server() throws IOException {
        port = TestServer.shared().port;
        sdk = Wire.sdk(TestServer.ID, TestServer.KEY, TestServer.SECRET);
        sdk.setHost("127.0.0.1:" + port);
        sdk.setEncrypted(false);
    }

    private static Wire.Client subscribed(String channel) throws IOException {
        Wire.Client client = Wire.open(port, TestServer.KEY);
        if (channel.startsWith("private-")) {
            client.send(Wire.subscribe(channel, Wire.auth(sdk, client.socketId(), channel)));
        } else {
            client.send(Wire.subscribe(channel));
        }
        String reply = client.next();
        assertTrue(reply.startsWith("{\"event\":\"pusher_internal:subscription_succeeded\""), reply);
        return client;
    }

    private static void assertOk(Result result) {
        assertEquals(200, result.getHttpStatus(), result.getMessage());
    }

    @Test
    void triggerFromTheSdkReachesSubscribersOfEveryListedChannelWithDataVerbatim() throws IOException {
        try (Wire.Client a = subscribed("api-one"); Wire.Client b = subscribed("api-two")) {
            assertOk(sdk.trigger(List.of("api-one", "api-two"), "order-shipped", Map.of("id", 7)));
            assertEquals("{\"event\":\"order-shipped\",\"data\":\"{\\\"id\\\":7}\",\"channel\":\"api-one\"}", a.next());
            assertEquals("{\"event\":\"order-shipped\",\"data\":\"{\\\"id\\\":7}\",\"channel\":\"api-two\"}", b.next());
        }
    }

    @Test
    void socketIdExcludesThatConnectionOnly() throws IOException {
        try (Wire.Client publisher = subscribed("api-exclude"); Wire.Client other = subscribed("api-exclude")) {
            assertOk(sdk.trigger("api-exclude", "e", "x", publisher.socketId()));
            assertEquals("{\"event\":\"e\",\"data\":\"\\\"x\\\"\",\"channel\":\"api-exclude\"}", other.next());
            // A barrier instead of a read that times out: a later event for everyone must be the publisher's next frame.
            assertOk(sdk.trigger("api-exclude", "sentinel", "y"));
            assertEquals("{\"event\":\"sentinel\",\"data\":\"\\\"y\\\"\",\"channel\":\"api-exclude\"}", publisher.next());
        }
    }

    @Test
    void batchEventsArePublishedInOrder() throws IOException {
        try (Wire.Client client = subscribed("api-batch")) {
            assertOk(sdk.trigger(List.of(new Event("api-batch", "first", "1"), new Event("api-batch", "second", "2"))));
            assertTrue(client.next().contains("\"first\""));
            assertTrue(client.next().contains("\"second\""));
        }
    }

    @Test
    void infoOnTriggerAndBatchReportsCountsPerChannel() throws Exception {
        try (Wire.Client a = subscribed("api-info"); Wire.Client b = subscribed("api-info")) {
            Http.Reply reply = Http.signed(port, "POST", "/apps/1001/events",
                    "{\"name\":\"e\",\"data\":\"d\",\"channels\":[\"api-info\",\"api-empty\"],\"info\":\"subscription_count\"}");
            assertEquals(200, reply.status(), reply.body());
            assertEquals("{\"channels\":{\"api-info\":{\"subscription_count\":2},\"api-empty\":{\"subscription_count\":0}}}",
                    reply.body());
            Http.Reply batch = Http.signed(port, "POST", "/apps/1001/batch_events", "{\"batch\":[{\"name\":\"e\",\"data\":\"d\","
                    + "\"channel\":\"api-info\",\"info\":\"subscription_count\"},{\"name\":\"e\",\"data\":\"d\",\"channel\":\"api-info\"}]}");
            assertEquals("{\"batch\":[{\"subscription_count\":2},{}]}", batch.body());
        }
    }

    @Test
    void channelQueriesAnswerWhatIsOccupied() throws Exception {
        try (Wire.Client a = subscribed("query-news"); Wire.Client b = subscribed("query-news");
             Wire.Client member = Wire.open(port, TestServer.KEY); Wire.Client tab = Wire.open(port, TestServer.KEY)) {
            for (Wire.Client c : List.of(member, tab)) {
                c.send(Wire.subscribePresence(Wire.presenceAuth(sdk, c.socketId(), "presence-query", "u1", Map.of()), "presence-query"));
                c.next();
            }
            assertEquals("{\"channels\":{\"query-news\":{}}}", sdk.get("/channels", Map.of("filter_by_prefix", "query-")).getMessage());
            assertEquals("{\"channels\":{\"query-news\":{\"subscription_count\":2}}}",
                    sdk.get("/channels", Map.of("filter_by_prefix", "query-", "info", "subscription_count")).getMessage());
            assertEquals("{\"channels\":{\"presence-query\":{\"user_count\":1}}}",
                    sdk.get("/channels", Map.of("filter_by_prefix", "presence-query", "info", "user_count")).getMessage());
            assertEquals("{\"occupied\":true,\"subscription_count\":2}",
                    sdk.get("/channels/query-news", Map.of("info", "subscription_count")).getMessage());
            assertEquals("{\"occupied\":true,\"user_count\":1,\"subscription_count\":2}",
                    sdk.get("/channels/presence-query", Map.of("info", "user_count,subscription_count")).getMessage());
            assertEquals("{\"occupied\":false}", sdk.get("/channels/query-nobody").getMessage());
            assertEquals("{\"users\":[{\"id\":\"u1\"}]}", sdk.get("/channels/presence-query/users").getMessage());
            assertEquals("{\"users\":[]}", sdk.get("/channels/presence-empty/users").getMessage());
        }
    }

    @Test
    void presenceOnlyQueriesOnOtherChannelsAre400() throws Exception {
        Result users = sdk.get("/channels/query-public/users");
        assertEquals(400, users.getHttpStatus());
        assertEquals("{\"error\":\"users are only listed for presence channels\"}", users.getMessage());
        Result userCount = sdk.get("/channels/query-public", Map.of("info", "user_count"));
        assertEquals(400, userCount.getHttpStatus());
        Result listing = sdk.get("/channels", Map.of("info", "user_count"));
        assertEquals(400, listing.getHttpStatus());
        assertEquals("{\"error\":\"info=user_count needs filter_by_prefix=presence-\"}", listing.getMessage());
    }

    @Test
    void connectionsCountsThisAppsOpenSockets() throws Exception {
        Pusher other = Wire.sdk("1008", "small-key", "small-secret");
        other.setHost("127.0.0.1:" + port);
        other.setEncrypted(false);
        // Other tests' sockets on this app may still be closing: wait for them to be gone first.
        Await.within(Duration.ofSeconds(5), () -> other.get("/connections").getMessage().equals("{\"connections\":0}"));
        try (Wire.Client a = Wire.open(port, "small-key"); Wire.Client b = Wire.open(port, "small-key")) {
            assertEquals("{\"connections\":2}", other.get("/connections").getMessage());
        }
    }

    @Test
    void terminateClosesEveryConnectionOfTheUserSignedInOrPresent() throws Exception {
        try (Wire.Client signedIn = Wire.open(port, TestServer.KEY); Wire.Client present = Wire.open(port, TestServer.KEY);
             Wire.Client bystander = Wire.open(port, TestServer.KEY)) {
            String userData = "{\"id\":\"kick-me\"}";
            signedIn.send(Wire.JSON.writeValueAsString(Map.of("event", "pusher:signin", "data", Map.of("auth",
                    Wire.userAuth(TestServer.KEY, TestServer.SECRET, signedIn.socketId(), userData), "user_data", userData))));
            assertTrue(signedIn.next().contains("pusher:signin_success"));
            present.send(Wire.subscribePresence(Wire.presenceAuth(sdk, present.socketId(), "presence-kick", "kick-me", Map.of()),
                    "presence-kick"));
            present.next();
            bystander.send(Wire.subscribePresence(Wire.presenceAuth(sdk, bystander.socketId(), "presence-kick", "stays", Map.of()),
                    "presence-kick"));
            bystander.next();
            present.next();

            assertOk(sdk.post("/users/kick-me/terminate_connections", "{}"));
            for (Wire.Client kicked : List.of(signedIn, present)) {
                List<String> texts = new java.util.ArrayList<>();
                assertEquals(4009, kicked.ws().awaitClose(5_000, texts).closeCode());
                assertTrue(texts.contains(Wire.error(4009, "Connection terminated by the server")), texts.toString());
            }
            assertEquals("{\"event\":\"pusher_internal:member_removed\",\"data\":\"{\\\"user_id\\\":\\\"kick-me\\\"}\","
                    + "\"channel\":\"presence-kick\"}", bystander.next());
        }
    }

    @Test
    void eventsToServerToUserReachEveryConnectionSignedInAsThatUser() throws Exception {
        try (Wire.Client tab1 = Wire.open(port, TestServer.KEY); Wire.Client tab2 = Wire.open(port, TestServer.KEY);
             Wire.Client stranger = Wire.open(port, TestServer.KEY)) {
            for (Wire.Client tab : List.of(tab1, tab2)) {
                String userData = "{\"id\":\"u-42\"}";
                tab.send(Wire.JSON.writeValueAsString(Map.of("event", "pusher:signin", "data", Map.of("auth",
                        Wire.userAuth(TestServer.KEY, TestServer.SECRET, tab.socketId(), userData), "user_data", userData))));
                assertTrue(tab.next().contains("pusher:signin_success"));
            }
            // pusher-http-java validates channel names without the user form; the Node SDK's sendToUser
            // posts exactly this body.
            assertOk(sdk.post("/events", "{\"name\":\"notice\",\"channel\":\"#server-to-user-u-42\",\"data\":\"\\\"hello\\\"\"}"));
            String expected = "{\"event\":\"notice\",\"data\":\"\\\"hello\\\"\",\"channel\":\"#server-to-user-u-42\"}";
            assertEquals(expected, tab1.next());
            assertEquals(expected, tab2.next());
            // The post has returned, so the event went out: the stranger's own pong must be its next frame.
            stranger.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            assertEquals("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", stranger.next(), "the stranger hears nothing");
            assertEquals("{\"channels\":{}}", sdk.get("/channels", Map.of("filter_by_prefix", "#")).getMessage(),
                    "user channels are not listed");
        }
    }

    @Test
    void cacheChannelReplaysTheLastEventEvenIfTriggeredWithNobodySubscribed() throws Exception {
        assertOk(sdk.trigger("cache-prices", "tick", "1"));
        assertOk(sdk.trigger("cache-prices", "tick", "2"));
        try (Wire.Client late = Wire.open(port, TestServer.KEY)) {
            late.send(Wire.subscribe("cache-prices"));
            assertEquals(Wire.succeeded("cache-prices"), late.next());
            assertEquals("{\"event\":\"tick\",\"data\":\"\\\"2\\\"\",\"channel\":\"cache-prices\"}", late.next());
            assertEquals("{\"occupied\":true,\"cache\":{\"event\":\"tick\",\"data\":\"\\\"2\\\"\",\"channel\":\"cache-prices\"}}",
                    sdk.get("/channels/cache-prices", Map.of("info", "cache")).getMessage());
        }
    }

    @Test
    void cacheChannelWithoutAnEventSendsCacheMiss() throws IOException {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            client.send(Wire.subscribe("private-cache-empty", Wire.auth(sdk, client.socketId(), "private-cache-empty")));
            assertEquals(Wire.succeeded("private-cache-empty"), client.next());
            assertEquals("{\"event\":\"pusher:cache_miss\",\"channel\":\"private-cache-empty\"}", client.next());
        }
    }

    @Test
    void encryptedCacheChannelsAreCachedTooWithCiphertextUntouched() throws IOException {
        String channel = "private-encrypted-cache-vault";
        assertOk(sdk.post("/events", "{\"name\":\"secret\",\"channel\":\"" + channel
                + "\",\"data\":\"{\\\"nonce\\\":\\\"abc\\\",\\\"ciphertext\\\":\\\"xyz\\\"}\"}"));
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            // The SDK will not sign encrypted channels without a master key; the signature is the same HMAC.
            client.send(Wire.subscribe(channel, TestServer.KEY + ":" + new dev.chorus.protocol.Signer(TestServer.SECRET)
                    .sign(client.socketId() + ":" + channel)));
            client.next();
            assertEquals("{\"event\":\"secret\",\"data\":\"{\\\"nonce\\\":\\\"abc\\\",\\\"ciphertext\\\":\\\"xyz\\\"}\","
                    + "\"channel\":\"" + channel + "\"}", client.next());
        }
    }

    @Test
    void presenceInternalEventsAreNeverCached() throws Exception {
        String channel = "presence-cache-lobby";
        try (Wire.Client a = Wire.open(port, TestServer.KEY)) {
            a.send(Wire.subscribePresence(Wire.presenceAuth(sdk, a.socketId(), channel, "a", Map.of()), channel));
            a.next();
            assertEquals("{\"event\":\"pusher:cache_miss\",\"channel\":\"" + channel + "\"}", a.next());
            Wire.Client b = Wire.open(port, TestServer.KEY);
            b.send(Wire.subscribePresence(Wire.presenceAuth(sdk, b.socketId(), channel, "b", Map.of()), channel));
            b.next();
            b.next();
            b.close();
            assertTrue(a.next().contains("member_added"));
            assertTrue(a.next().contains("member_removed"));
            try (Wire.Client c = Wire.open(port, TestServer.KEY)) {
                c.send(Wire.subscribePresence(Wire.presenceAuth(sdk, c.socketId(), channel, "c", Map.of()), channel));
                c.next();
                assertEquals("{\"event\":\"pusher:cache_miss\",\"channel\":\"" + channel + "\"}", c.next());
            }
        }
    }

    @Test
    void healthNeedsNoSignature() throws Exception {
        Http.Reply up = Http.raw("GET", java.net.URI.create("http://127.0.0.1:" + port + "/up"), null);
        assertEquals(200, up.status());
        assertEquals("{\"health\":\"OK\"}", up.body());
        assertFalse(up.response().headers().firstValue("Content-Type").orElse("").isEmpty());
    }
}
