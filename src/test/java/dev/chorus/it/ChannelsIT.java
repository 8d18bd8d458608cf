package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.pusher.rest.Pusher;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Subscriptions, presence, client events and sign-in, frame by frame. */
class ChannelsIT {
    static int port;
    static Pusher sdk;

    @BeforeAll
    static void server() throws IOException {
        port = TestServer.shared().port;
        sdk = Wire.sdk(TestServer.ID, TestServer.KEY, TestServer.SECRET);
    }

    private static final String PING = "{\"event\":\"pusher:ping\",\"data\":{}}";
    private static final String PONG = "{\"event\":\"pusher:pong\",\"data\":\"{}\"}";

    /**
     * A barrier instead of a read that times out: {@code from} sends a client event on the channel, and it must
     * be the next frame {@code to} reads. One socket's messages are handled in order, so whatever {@code from}'s
     * earlier messages sent {@code to} has arrived by then.
     */
    private static void assertNextIsClientSentinel(Wire.Client from, Wire.Client to, String channel, String message)
            throws IOException {
        from.send("{\"event\":\"client-sentinel\",\"channel\":\"" + channel + "\",\"data\":{}}");
        String next = to.next();
        assertTrue(next != null && next.startsWith("{\"event\":\"client-sentinel\""), message + ": " + next);
    }

    /**
     * A barrier instead of a read that times out, for "what {@code actor} sent reached {@code listener} not at
     * all": the actor's pong means its earlier messages were handled (and anything they sent the listener was
     * sent); the listener's own pong, asked for after that, must then be its next frame.
     */
    private static void assertQuietAfter(Wire.Client actor, Wire.Client listener, String message) throws IOException {
        actor.send(PING);
        assertEquals(PONG, actor.next());
        listener.send(PING);
        assertEquals(PONG, listener.next(), message);
    }

    @Test
    void publicChannelSubscriptionSucceedsWithEmptyData() throws IOException {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            client.send(Wire.subscribe("news-1"));
            assertEquals(Wire.succeeded("news-1"), client.next());
        }
    }

    @Test
    void privateChannelSignedByTheSdkSucceeds() throws IOException {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            client.send(Wire.subscribe("private-orders", Wire.auth(sdk, client.socketId(), "private-orders")));
            assertEquals(Wire.succeeded("private-orders"), client.next());
        }
    }

    @Test
    void privateChannelWithABadSignatureGetsSubscriptionErrorThen4009() throws IOException {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            client.send(Wire.subscribe("private-orders", TestServer.KEY + ":" + "0".repeat(64)));
            assertEquals("{\"event\":\"pusher:subscription_error\",\"channel\":\"private-orders\",\"data\":"
                    + "{\"type\":\"AuthError\",\"error\":\"Invalid signature\",\"status\":401}}", client.next());
            assertEquals(Wire.error(4009, "Connection is unauthorized"), client.next());
            client.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            assertEquals("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", client.next(), "socket stays usable");
        }
    }

    @Test
    void signatureMadeForAnotherKeyIsRefusedEvenWithTheRightSecret() throws IOException {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            String sig = Wire.auth(sdk, client.socketId(), "private-orders").split(":")[1];
            client.send(Wire.subscribe("private-orders", "other-key:" + sig));
            assertTrue(client.next().startsWith("{\"event\":\"pusher:subscription_error\""));
            assertEquals(Wire.error(4009, "Connection is unauthorized"), client.next());
        }
    }

    @Test
    void channelNamesOutsideThePusherCharacterSetAreRefused() throws IOException {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            for (String bad : new String[] {"", "has space", "x".repeat(165), "emoji-\u2603"}) {
                client.send(Wire.JSON.writeValueAsString(Map.of("event", "pusher:subscribe", "data", Map.of("channel", bad))));
                JsonNode error = Wire.JSON.readTree(client.next());
                assertEquals("pusher:subscription_error", error.get("event").asText(), bad);
                assertEquals(400, error.get("data").get("status").asInt());
                assertEquals(Wire.error(4009, "Connection is unauthorized"), client.next());
            }
        }
    }

    @Test
    void serverToUserChannelsCannotBeSubscribedWithoutSigningInAsThatUser() throws IOException {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            client.send(Wire.subscribe("#server-to-user-42"));
            assertTrue(client.next().startsWith("{\"event\":\"pusher:subscription_error\",\"channel\":\"#server-to-user-42\""));
            assertEquals(Wire.error(4009, "Connection is unauthorized"), client.next());
        }
    }

    @Test
    void presenceSubscriptionListsEveryMemberOnceWithTheirInfo() throws IOException {
        String channel = "presence-room-roster";
        try (Wire.Client ann = Wire.open(port, TestServer.KEY); Wire.Client annTab = Wire.open(port, TestServer.KEY);
             Wire.Client bob = Wire.open(port, TestServer.KEY)) {
            ann.send(Wire.subscribePresence(Wire.presenceAuth(sdk, ann.socketId(), channel, "1", Map.of("name", "Ann")), channel));
            assertEquals("{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{\\\"presence\\\":{\\\"ids\\\":"
                    + "[\\\"1\\\"],\\\"hash\\\":{\\\"1\\\":{\\\"name\\\":\\\"Ann\\\"}},\\\"count\\\":1}}\",\"channel\":\""
                    + channel + "\"}", ann.next());
            annTab.send(Wire.subscribePresence(Wire.presenceAuth(sdk, annTab.socketId(), channel, "1", Map.of("name", "Ann")), channel));
            annTab.next();
            // The barrier: a later message of annTab's reaches ann after anything annTab's join sent it.
            assertNextIsClientSentinel(annTab, ann, channel, "no member_added for a second tab");
            bob.send(Wire.subscribePresence(Wire.presenceAuth(sdk, bob.socketId(), channel, "2", Map.of("name", "Bob")), channel));
            assertEquals("{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{\\\"presence\\\":{\\\"ids\\\":"
                    + "[\\\"1\\\",\\\"2\\\"],\\\"hash\\\":{\\\"1\\\":{\\\"name\\\":\\\"Ann\\\"},\\\"2\\\":{\\\"name\\\":\\\"Bob\\\"}},"
                    + "\\\"count\\\":2}}\",\"channel\":\"" + channel + "\"}", bob.next());
            String added = "{\"event\":\"pusher_internal:member_added\",\"data\":\"{\\\"user_id\\\":\\\"2\\\",\\\"user_info\\\":"
                    + "{\\\"name\\\":\\\"Bob\\\"}}\",\"channel\":\"" + channel + "\"}";
            assertEquals(added, ann.next());
            assertEquals(added, annTab.next());
        }
    }

    @Test
    void memberAddedOnlyOnFirstConnectionOfUserAndRemovedOnlyWithTheLast() throws IOException {
        String channel = "presence-room-counting";
        try (Wire.Client watcher = Wire.open(port, TestServer.KEY)) {
            watcher.send(Wire.subscribePresence(Wire.presenceAuth(sdk, watcher.socketId(), channel, "w", Map.of()), channel));
            watcher.next();
            Wire.Client tab1 = Wire.open(port, TestServer.KEY);
            Wire.Client tab2 = Wire.open(port, TestServer.KEY);
            tab1.send(Wire.subscribePresence(Wire.presenceAuth(sdk, tab1.socketId(), channel, "7", Map.of()), channel));
            tab1.next();
            assertTrue(watcher.next().startsWith("{\"event\":\"pusher_internal:member_added\""));
            tab2.send(Wire.subscribePresence(Wire.presenceAuth(sdk, tab2.socketId(), channel, "7", Map.of()), channel));
            tab2.next();
            assertNextIsClientSentinel(tab2, watcher, channel, "the second tab is not a new member");
            tab1.send("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"" + channel + "\"}}");
            // tab1's pong comes after its unsubscribe was handled; tab2's sentinel after that reaches the watcher
            // after anything the unsubscribe sent it.
            tab1.send(PING);
            while (!PONG.equals(tab1.next())) {
                // the first sentinel, heard as a member of the channel
            }
            assertNextIsClientSentinel(tab2, watcher, channel, "user 7 still has a tab");
            tab2.close();
            assertEquals("{\"event\":\"pusher_internal:member_removed\",\"data\":\"{\\\"user_id\\\":\\\"7\\\"}\",\"channel\":\""
                    + channel + "\"}", watcher.next());
            tab1.close();
        }
    }

    @Test
    void numericUserIdsKeepTheirTypeInRosterAndEvents() throws IOException {
        String channel = "presence-numeric";
        try (Wire.Client a = Wire.open(port, TestServer.KEY)) {
            String data = "{\"user_id\":5}";
            String auth = TestServer.KEY + ":" + new dev.chorus.protocol.Signer(TestServer.SECRET)
                    .sign(a.socketId() + ":" + channel + ":" + data);
            a.send(Wire.JSON.writeValueAsString(Map.of("event", "pusher:subscribe",
                    "data", Map.of("channel", channel, "auth", auth, "channel_data", data))));
            assertEquals("{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{\\\"presence\\\":{\\\"ids\\\":[5],"
                    + "\\\"hash\\\":{\\\"5\\\":null},\\\"count\\\":1}}\",\"channel\":\"" + channel + "\"}", a.next());
        }
    }

    @Test
    void presenceWithoutUserIdIsRefusedAndLeavesNothingBehind() throws IOException {
        String channel = "presence-no-user";
        try (Wire.Client watcher = Wire.open(port, TestServer.KEY); Wire.Client bad = Wire.open(port, TestServer.KEY)) {
            watcher.send(Wire.subscribePresence(Wire.presenceAuth(sdk, watcher.socketId(), channel, "w", Map.of()), channel));
            watcher.next();
            String data = "{\"user_info\":{}}";
            String auth = TestServer.KEY + ":" + new dev.chorus.protocol.Signer(TestServer.SECRET)
                    .sign(bad.socketId() + ":" + channel + ":" + data);
            bad.send(Wire.JSON.writeValueAsString(Map.of("event", "pusher:subscribe",
                    "data", Map.of("channel", channel, "auth", auth, "channel_data", data))));
            assertTrue(bad.next().startsWith("{\"event\":\"pusher:subscription_error\""));
            bad.next();
            assertQuietAfter(bad, watcher, "a refused join is not announced");
        }
    }

    @Test
    void presenceChannelAtItsMemberLimitRefusesANewUser() throws IOException {
        String channel = "presence-full";
        Pusher small = Wire.sdk("1008", "small-key", "small-secret");
        try (Wire.Client a = Wire.open(port, "small-key"); Wire.Client b = Wire.open(port, "small-key");
             Wire.Client c = Wire.open(port, "small-key")) {
            a.send(Wire.subscribePresence(Wire.presenceAuth(small, a.socketId(), channel, "a", Map.of()), channel));
            a.next();
            b.send(Wire.subscribePresence(Wire.presenceAuth(small, b.socketId(), channel, "b", Map.of()), channel));
            b.next();
            a.next();
            c.send(Wire.subscribePresence(Wire.presenceAuth(small, c.socketId(), channel, "c", Map.of()), channel));
            assertEquals("{\"event\":\"pusher:subscription_error\",\"channel\":\"presence-full\",\"data\":{\"type\":"
                    + "\"LimitReached\",\"error\":\"Presence channel member limit reached\",\"status\":403}}", c.next());
            assertQuietAfter(c, a, "a refused join is not announced");
        }
    }

    @Test
    void clientEventReachesOtherMembersRebuiltAndNeverTheSender() throws IOException {
        String channel = "private-chat-1";
        try (Wire.Client sender = Wire.open(port, TestServer.KEY); Wire.Client receiver = Wire.open(port, TestServer.KEY)) {
            sender.send(Wire.subscribe(channel, Wire.auth(sdk, sender.socketId(), channel)));
            sender.next();
            receiver.send(Wire.subscribe(channel, Wire.auth(sdk, receiver.socketId(), channel)));
            receiver.next();
            sender.send("{\"event\":\"client-typing\",\"channel\":\"" + channel + "\",\"data\":{\"id\":123},"
                    + "\"user_id\":\"forged\",\"extra\":true}");
            assertEquals("{\"event\":\"client-typing\",\"channel\":\"" + channel + "\",\"data\":{\"id\":123}}", receiver.next());
            // The barrier: the sender's own next message is answered after its client event was handled.
            sender.send(PING);
            assertEquals(PONG, sender.next(), "no echo to the sender");
        }
    }

    @Test
    void clientEventOnPresenceCarriesTheSendersUserId() throws IOException {
        String channel = "presence-chat-2";
        try (Wire.Client sender = Wire.open(port, TestServer.KEY); Wire.Client receiver = Wire.open(port, TestServer.KEY)) {
            sender.send(Wire.subscribePresence(Wire.presenceAuth(sdk, sender.socketId(), channel, "u1", Map.of()), channel));
            sender.next();
            receiver.send(Wire.subscribePresence(Wire.presenceAuth(sdk, receiver.socketId(), channel, "u2", Map.of()), channel));
            receiver.next();
            sender.next();
            sender.send("{\"event\":\"client-wave\",\"channel\":\"" + channel + "\",\"data\":\"hi\"}");
            assertEquals("{\"event\":\"client-wave\",\"channel\":\"" + channel + "\",\"data\":\"hi\",\"user_id\":\"u1\"}",
                    receiver.next());
        }
    }

    @Test
    void clientEventsOnPublicAndEncryptedChannelsAreRefused() throws IOException {
        try (Wire.Client client = Wire.open(port, TestServer.KEY); Wire.Client other = Wire.open(port, TestServer.KEY)) {
            other.send(Wire.subscribe("public-3"));
            other.next();
            client.send(Wire.subscribe("public-3"));
            client.next();
            client.send("{\"event\":\"client-x\",\"channel\":\"public-3\",\"data\":{}}");
            assertEquals(Wire.error(4301, "Client events are only supported on private and presence channels."), client.next());
            client.send("{\"event\":\"client-x\",\"channel\":\"private-encrypted-3\",\"data\":{}}");
            assertEquals(Wire.error(4301, "Client events are only supported on private and presence channels."), client.next());
            assertQuietAfter(client, other, "refused client events reach nobody");
        }
    }

    @Test
    void clientEventFromANonMemberIsRefusedWith4009() throws IOException {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            client.send("{\"event\":\"client-x\",\"channel\":\"private-not-mine\",\"data\":{}}");
            assertEquals(Wire.error(4009, "The client is not a member of the specified channel."), client.next());
        }
    }

    @Test
    void clientEventsAreRefusedWhenTheAppDisablesThem() throws IOException {
        try (Wire.Client client = Wire.open(port, "none-key")) {
            client.send("{\"event\":\"client-x\",\"channel\":\"private-a\",\"data\":{}}");
            assertEquals(Wire.error(4301, "The app does not have client messaging enabled."), client.next());
        }
    }

    @Test
    void clientEventsOverTheRateLimitAreDroppedWith4301() throws IOException {
        String channel = "private-rate";
        try (Wire.Client sender = Wire.open(port, TestServer.KEY); Wire.Client receiver = Wire.open(port, TestServer.KEY)) {
            sender.send(Wire.subscribe(channel, Wire.auth(sdk, sender.socketId(), channel)));
            sender.next();
            receiver.send(Wire.subscribe(channel, Wire.auth(sdk, receiver.socketId(), channel)));
            receiver.next();
            for (int i = 0; i < 8; i++) {
                sender.send("{\"event\":\"client-n\",\"channel\":\"" + channel + "\",\"data\":" + i + "}");
            }
            // Drained by barriers, not read timeouts: the sender's pong comes after its 8 events were handled,
            // the receiver's own pong after everything they sent it.
            sender.send(PING);
            int errors = 0;
            for (String frame = sender.next(); !PONG.equals(frame); frame = sender.next()) {
                assertEquals(Wire.error(4301, "Rate limit exceeded"), frame);
                errors++;
            }
            receiver.send(PING);
            int received = 0;
            for (String frame = receiver.next(); !PONG.equals(frame); frame = receiver.next()) {
                received++;
            }
            assertEquals(8, received + errors);
            assertTrue(received <= 5 * 2, "at most two windows' worth arrived: " + received);
            assertTrue(errors >= 1, "some were refused");
        }
    }

    @Test
    void unsubscribedConnectionGetsNoMoreEvents() throws IOException {
        String channel = "private-leave";
        try (Wire.Client sender = Wire.open(port, TestServer.KEY); Wire.Client receiver = Wire.open(port, TestServer.KEY)) {
            sender.send(Wire.subscribe(channel, Wire.auth(sdk, sender.socketId(), channel)));
            sender.next();
            receiver.send(Wire.subscribe(channel, Wire.auth(sdk, receiver.socketId(), channel)));
            receiver.next();
            receiver.send("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"" + channel + "\"}}");
            receiver.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            receiver.next();
            sender.send("{\"event\":\"client-x\",\"channel\":\"" + channel + "\",\"data\":{}}");
            assertQuietAfter(sender, receiver, "an unsubscribed socket hears no client events");
        }
    }

    @Test
    void signinWithAValidSignatureSucceeds() throws Exception {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            String userData = "{\"id\":\"42\",\"name\":\"Ann\"}";
            client.send(Wire.JSON.writeValueAsString(Map.of("event", "pusher:signin", "data", Map.of(
                    "auth", Wire.userAuth(TestServer.KEY, TestServer.SECRET, client.socketId(), userData),
                    "user_data", userData))));
            assertEquals("{\"event\":\"pusher:signin_success\",\"data\":\"{\\\"user_data\\\":\\\"{\\\\\\\"id\\\\\\\":"
                    + "\\\\\\\"42\\\\\\\",\\\\\\\"name\\\\\\\":\\\\\\\"Ann\\\\\\\"}\\\"}\"}", client.next());
        }
    }

    @Test
    void signinWithABadSignatureGets4009AndIsClosed() throws Exception {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            String userData = "{\"id\":\"42\"}";
            client.send(Wire.JSON.writeValueAsString(Map.of("event", "pusher:signin", "data", Map.of(
                    "auth", Wire.userAuth(TestServer.KEY, "wrong-secret", client.socketId(), userData),
                    "user_data", userData))));
            assertEquals(Wire.error(4009, "Connection is unauthorized"), client.next());
            assertEquals(4009, client.ws().awaitClose(5_000).closeCode());
        }
    }

    @Test
    void signinWithoutAnIdGets4009AndIsClosed() throws Exception {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            String userData = "{\"name\":\"nobody\"}";
            client.send(Wire.JSON.writeValueAsString(Map.of("event", "pusher:signin", "data", Map.of(
                    "auth", Wire.userAuth(TestServer.KEY, TestServer.SECRET, client.socketId(), userData),
                    "user_data", userData))));
            assertEquals(Wire.error(4009, "Connection is unauthorized"), client.next());
            assertEquals(4009, client.ws().awaitClose(5_000).closeCode());
        }
    }
}
