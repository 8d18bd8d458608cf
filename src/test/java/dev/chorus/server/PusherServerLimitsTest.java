package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.app.ClientEventPolicy;
import dev.chorus.app.StaticAppRegistry;
import dev.chorus.broadcast.Broadcaster;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.PusherError;
import dev.chorus.protocol.Signer;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.LocalRelay;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The per-connection and per-app bounds of issue 12, driven through recording transports. */
class PusherServerLimitsTest {
    /** 3 channels per connection, 10 frames/s with a burst of 20, 5 channels per app, 2 cache entries, 400 cached bytes. */
    private static final App.Limits LIMITS = new App.Limits(3, 10, 20, 5, 2, 400);
    private final Signer signer = new Signer("secret");

    private static App app(ClientEventPolicy policy) {
        return TestApps.app().clientEvents(policy).clientEventRate(0).maxPendingFrames(100).limits(LIMITS).build();
    }

    private final App app = app(ClientEventPolicy.ALL);
    private ClusterState cluster = ClusterState.NONE;
    private final Broadcasting broadcasting = Broadcasting.of(new LocalRelay("test"), new ClusterState() {
        @Override
        public Optional<Boolean> join(String appId, String channel, String userKey, String memberJson) {
            return cluster.join(appId, channel, userKey, memberJson);
        }
    });
    private final Broadcaster broadcaster = broadcasting.broadcaster();
    private final PusherServer server = new PusherServer(new StaticAppRegistry(List.of(app)), broadcasting, FrameLog.SILENT);

    private Connection open(RecordingTransport transport) {
        Connection connection = server.open(transport, "key", null, "7");
        assertNotNull(connection);
        transport.take();
        return connection;
    }

    private static String subscribe(String channel) {
        return "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}";
    }

    private void subscribePrivate(Connection connection, String channel) {
        server.message(connection, "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\""
                + signer.channelAuth("key", connection.socketId(), channel, null) + "\"}}");
    }

    private void subscribePresence(Connection connection, String channel, String userId) {
        String data = "{\"user_id\":\"" + userId + "\"}";
        String auth = signer.channelAuth("key", connection.socketId(), channel, data);
        server.message(connection, "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\""
                + auth + "\",\"channel_data\":\"" + data.replace("\"", "\\\"") + "\"}}");
    }

    @Test
    void aSubscribeOverMaxChannelsPerConnectionGetsLimitReachedAndTheSocketStaysOpen() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        for (String channel : List.of("a", "b", "c")) {
            server.message(connection, subscribe(channel));
        }
        server.message(connection, subscribe("d"));
        List<String> frames = transport.take();
        assertEquals("{\"event\":\"pusher:subscription_error\",\"channel\":\"d\",\"data\":{\"type\":\"LimitReached\","
                + "\"error\":\"Too many channels on this connection; the limit is 3 (max_channels_per_connection)\","
                + "\"status\":403}}", frames.get(frames.size() - 1));
        assertTrue(frames.stream().noneMatch(frame -> frame.startsWith("{\"event\":\"pusher:error\"")));
        assertEquals(-1, transport.closeCode());
        assertNull(broadcaster.channels(app).find("d"), "nothing created");
        server.message(connection, subscribe("a"));
        assertEquals(Frames.subscriptionSucceeded("a", "{}"), transport.last(), "a channel it has is no new channel");
        server.message(connection, "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"a\"}}");
        server.message(connection, subscribe("d"));
        assertEquals(Frames.subscriptionSucceeded("d", "{}"), transport.last());
    }

    @Test
    void theSignInChannelDoesNotCountAgainstTheConnectionLimit() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        String userData = "{\"id\":\"ann\"}";
        server.message(connection, "{\"event\":\"pusher:signin\",\"data\":{\"user_data\":\"" + userData.replace("\"", "\\\"")
                + "\",\"auth\":\"" + signer.userAuth("key", connection.socketId(), userData) + "\"}}");
        assertEquals(Frames.signinSuccess(userData), transport.last());
        for (String channel : List.of("a", "b", "c")) {
            server.message(connection, subscribe(channel));
            assertEquals(Frames.subscriptionSucceeded(channel, "{}"), transport.last());
        }
        server.message(connection, subscribe("d"));
        assertTrue(transport.last().contains("max_channels_per_connection"));
    }

    @Test
    void anAppAtMaxChannelsRefusesANewChannelButNotAnExistingOne() {
        RecordingTransport first = new RecordingTransport();
        Connection one = open(first);
        RecordingTransport second = new RecordingTransport();
        Connection two = open(second);
        for (String channel : List.of("a", "b", "c")) {
            server.message(one, subscribe(channel));
        }
        server.message(two, subscribe("d"));
        server.message(two, subscribe("e"));
        server.message(two, subscribe("f"));
        assertEquals("{\"event\":\"pusher:subscription_error\",\"channel\":\"f\",\"data\":{\"type\":\"LimitReached\","
                + "\"error\":\"Too many channels on this app; the limit is 5 (max_channels)\",\"status\":403}}", second.last());
        assertEquals(5, broadcaster.channels(app).size());
        assertFalse(two.subscriptions().containsKey("f"));
        server.message(two, subscribe("a"));
        assertEquals(Frames.subscriptionSucceeded("a", "{}"), second.last());
    }

    @Test
    void clientEventsAreValidatedLikeServerEventsAndNothingIsPublished() {
        RecordingTransport listenerTransport = new RecordingTransport();
        Connection listener = open(listenerTransport);
        subscribePrivate(listener, "private-ok");
        RecordingTransport senderTransport = new RecordingTransport();
        Connection sender = open(senderTransport);
        subscribePrivate(sender, "private-ok");
        listenerTransport.take();
        senderTransport.take();

        server.message(sender, "{\"event\":\"client-a\",\"channel\":\"private-with space\",\"data\":{}}");
        assertEquals(PusherError.INVALID_CHANNEL.frame(), senderTransport.last());
        server.message(sender, "{\"event\":\"client-a\",\"channel\":\"private-" + "x".repeat(160) + "\",\"data\":{}}");
        assertEquals(PusherError.INVALID_CHANNEL.frame(), senderTransport.last());
        server.message(sender, "{\"event\":\"client-a\",\"channel\":\"#server-to-user-ann\",\"data\":{}}");
        assertEquals(PusherError.INVALID_CHANNEL.frame(), senderTransport.last());
        server.message(sender, "{\"event\":\"client-" + "e".repeat(194) + "\",\"channel\":\"private-ok\",\"data\":{}}");
        assertEquals(PusherError.INVALID_FORMAT.frame(), senderTransport.last());
        assertEquals(4009, PusherError.INVALID_CHANNEL.code());
        assertTrue(listenerTransport.take().isEmpty(), "nothing published");
        assertEquals(-1, senderTransport.closeCode());

        server.message(sender, "{\"event\":\"client-" + "e".repeat(193) + "\",\"channel\":\"private-ok\",\"data\":{}}");
        assertEquals(1, listenerTransport.take().size(), "a 200-character event name is fine");
    }

    @Test
    void aClientEventFromANonMemberIsDeliveredButNeverCached() {
        RecordingTransport listenerTransport = new RecordingTransport();
        Connection listener = open(listenerTransport);
        subscribePrivate(listener, "private-cache-room");
        listenerTransport.take();
        Connection outsider = open(new RecordingTransport());
        server.message(outsider, "{\"event\":\"client-spoof\",\"channel\":\"private-cache-room\",\"data\":{\"n\":1}}");
        assertEquals(1, listenerTransport.take().size(), "accept_client_events_from: all delivers it");
        assertNull(broadcasting.occupancy().cached(app, "private-cache-room"), "but a non-member never sets the cached event");
        server.message(outsider, "{\"event\":\"client-spoof\",\"channel\":\"private-cache-nobody\",\"data\":{}}");
        assertEquals(0, broadcaster.channels(app).cacheEntries());

        Connection member = open(new RecordingTransport());
        subscribePrivate(member, "private-cache-room");
        server.message(member, "{\"event\":\"client-real\",\"channel\":\"private-cache-room\",\"data\":{\"n\":2}}");
        assertTrue(broadcasting.occupancy().cached(app, "private-cache-room").contains("client-real"), "a member's event is cached");
    }

    @Test
    void overTheInboundRateFramesAreDroppedWithOneErrorThenTheConnectionIsClosedWith4301() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        for (int i = 0; i < 20; i++) {
            server.message(connection, "{\"event\":\"pusher:ping\",\"data\":{}}");
        }
        assertEquals(20, transport.take().size(), "the burst is answered");
        for (int i = 0; i < 20; i++) {
            server.message(connection, "{\"event\":\"pusher:ping\",\"data\":{}}");
        }
        assertEquals(List.of(PusherError.INBOUND_RATE_LIMITED.frame()), transport.take(), "dropped, one error only");
        assertEquals(-1, transport.closeCode());
        assertFalse(server.ping(connection), "WebSocket pings count too, and are not answered over the limit");
        assertEquals(4301, transport.closeCode(), "more than a burst dropped: closed");
        assertTrue(connection.isClosed());
    }

    @Test
    void anUnsolicitedPongIsNoProofOfLifeButAnAnswerIs() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        long before = connection.lastSeenNanos();
        server.pong(connection, false);
        assertTrue(server.ping(connection));
        assertEquals(before, connection.lastSeenNanos(), "pings and unsolicited pongs do not keep a socket alive");
        server.pong(connection, true);
        assertTrue(connection.lastSeenNanos() != before || System.nanoTime() == before);
    }

    @Test
    void aConnectionClosedDuringItsPresenceSubscribeNeverCausesAMemberRemovedWithoutMemberAdded() {
        RecordingTransport watcherTransport = new RecordingTransport();
        Connection watcher = open(watcherTransport);
        subscribePresence(watcher, "presence-room", "w");
        watcherTransport.take();
        RecordingTransport leavingTransport = new RecordingTransport();
        Connection leaving = open(leavingTransport);
        // The hook: the socket goes away (on "another thread") while its subscribe is asking the cluster.
        cluster = new ClusterState() {
            @Override
            public Optional<Boolean> join(String appId, String channel, String userKey, String memberJson) {
                server.closed(leaving);
                return Optional.empty();
            }
        };
        subscribePresence(leaving, "presence-room", "u");
        List<String> heard = watcherTransport.take();
        boolean added = heard.stream().anyMatch(frame -> frame.contains("member_added"));
        boolean removed = heard.stream().anyMatch(frame -> frame.contains("member_removed"));
        assertFalse(removed && !added, "member_removed without member_added: " + heard);
        assertEquals(List.of(), heard, "nobody heard of a user who never got in");
        assertEquals(1, broadcaster.channels(app).find("presence-room").userCount(), "and nothing is left behind");
        assertTrue(leaving.subscriptions().isEmpty());
    }

    @Test
    void aConnectionClosedRightAfterItsMemberAddedGetsItsMemberRemoved() {
        RecordingTransport watcherTransport = new RecordingTransport();
        Connection watcher = open(watcherTransport);
        subscribePresence(watcher, "presence-room", "w");
        watcherTransport.take();
        Connection leaving = open(new RecordingTransport());
        subscribePresence(leaving, "presence-room", "u");
        server.closed(leaving);
        List<String> heard = watcherTransport.take();
        assertEquals(2, heard.size(), heard.toString());
        assertTrue(heard.get(0).contains("member_added"));
        assertTrue(heard.get(1).contains("member_removed"));
    }
}
