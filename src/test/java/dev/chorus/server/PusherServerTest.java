package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.app.StaticAppRegistry;
import dev.chorus.broadcast.Broadcaster;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.protocol.EncodedFrame;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.PusherError;
import dev.chorus.protocol.Signer;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.LocalRelay;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The protocol state machine, driven through recording transports: no sockets, no container. */
class PusherServerTest {
    private final App app = TestApps.app().maxConnections(3).clientEventRate(0).maxPendingFrames(5).build();
    private final Broadcasting broadcasting = Broadcasting.of(new LocalRelay("test"), ClusterState.NONE);
    private final Broadcaster broadcaster = broadcasting.broadcaster();
    private final PusherServer server = new PusherServer(new StaticAppRegistry(List.of(app)), broadcasting, FrameLog.SILENT);
    private final Signer signer = new Signer("secret");

    private Connection open(RecordingTransport transport) {
        Connection connection = server.open(transport, "key", null, "7");
        assertNotNull(connection);
        transport.take();
        return connection;
    }

    private void subscribePresence(Connection connection, String channel, String userId) {
        String data = "{\"user_id\":\"" + userId + "\"}";
        String auth = signer.channelAuth("key", connection.socketId(), channel, data);
        server.message(connection, "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\""
                + auth + "\",\"channel_data\":\"" + data.replace("\"", "\\\"") + "\"}}");
    }

    @Test
    void openSendsConnectionEstablishedWithTheAppsActivityTimeout() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = server.open(transport, "key", null, null);
        assertEquals(Frames.connectionEstablished(connection.socketId(), 30), transport.last());
    }

    @Test
    void refusedConnectionGetsTheErrorThenTheSameCloseCode() {
        RecordingTransport transport = new RecordingTransport();
        assertNull(server.open(transport, "nope", null, "7"));
        assertEquals(List.of(PusherError.APP_NOT_FOUND.frame()), transport.frames());
        assertEquals(4001, transport.closeCode());
    }

    @Test
    void connectionQuotaCountsOpenConnectionsAndFreesOnClose() {
        Connection first = open(new RecordingTransport());
        open(new RecordingTransport());
        open(new RecordingTransport());
        RecordingTransport refused = new RecordingTransport();
        assertNull(server.open(refused, "key", null, "7"));
        assertEquals(4004, refused.closeCode());
        server.closed(first);
        assertNotNull(server.open(new RecordingTransport(), "key", null, "7"));
    }

    @Test
    void disconnectLeavesNoChannelAndNoMemberBehind() {
        RecordingTransport watcherTransport = new RecordingTransport();
        Connection watcher = open(watcherTransport);
        subscribePresence(watcher, "presence-a", "w");
        Connection leaving = open(new RecordingTransport());
        subscribePresence(leaving, "presence-a", "u");
        server.message(leaving, "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"news\"}}");
        assertEquals(2, broadcaster.channels(app).size());
        watcherTransport.take();

        server.closed(leaving);
        server.closed(leaving);

        assertEquals(List.of(Frames.memberRemoved("presence-a", "\"u\"")), watcherTransport.take());
        assertEquals(1, broadcaster.channels(app).size(), "news is gone with its only subscriber");
        assertEquals(1, broadcaster.channels(app).find("presence-a").userCount());
    }

    @Test
    void failedAuthCreatesNoChannel() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        server.message(connection, "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"private-x\",\"auth\":\"key:00\"}}");
        assertEquals(0, broadcaster.channels(app).size());
        assertEquals(PusherError.UNAUTHORIZED.frame(), transport.last());
    }

    @Test
    void publishFromJavaReachesSubscribersExceptTheExcludedSocket() {
        RecordingTransport aTransport = new RecordingTransport();
        RecordingTransport bTransport = new RecordingTransport();
        Connection a = open(aTransport);
        Connection b = open(bTransport);
        server.message(a, "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"news\"}}");
        server.message(b, "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"news\"}}");
        aTransport.take();
        bTransport.take();
        broadcaster.publish(app, "news", "headline", "{\"t\":1}", a.socketId());
        assertEquals(List.of(), aTransport.take());
        assertEquals(List.of("{\"event\":\"headline\",\"data\":\"{\\\"t\\\":1}\",\"channel\":\"news\"}"), bTransport.take());
        broadcaster.publish(app, "nobody-here", "e", "d", null);
        assertEquals(List.of(), aTransport.take());
    }

    @Test
    void everyRecipientSharesTheSameEncodedFrame() {
        RecordingTransport aTransport = new RecordingTransport();
        RecordingTransport bTransport = new RecordingTransport();
        server.message(open(aTransport), "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"news\"}}");
        server.message(open(bTransport), "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"news\"}}");
        aTransport.take();
        bTransport.take();
        broadcaster.publish(app, "news", "e", "d", null);
        assertTrue(aTransport.encoded().get(0) == bTransport.encoded().get(0), "one encoded frame for all recipients");
    }

    @Test
    void consumerThatStopsReadingIsClosedWith4100AndItsMembershipRemovedAtOnce() {
        RecordingTransport watcherTransport = new RecordingTransport();
        Connection watcher = open(watcherTransport);
        subscribePresence(watcher, "presence-slow", "w");
        RecordingTransport slowTransport = new RecordingTransport();
        Connection slow = open(slowTransport);
        subscribePresence(slow, "presence-slow", "slow");
        watcherTransport.take();
        slowTransport.stall();
        for (int i = 0; i < 20; i++) {
            broadcaster.publish(app, "presence-slow", "e", String.valueOf(i), watcher.socketId());
        }
        assertEquals(4100, slowTransport.closeCode());
        assertTrue(slow.isClosed());
        assertTrue(slowTransport.frames().size() <= 1 + 5, "one in flight plus the queue at most");
        assertEquals(List.of(Frames.memberRemoved("presence-slow", "\"slow\"")), watcherTransport.take());
    }

    @Test
    void inlineCompletionsDoNotRecurseSoLongQueuesCannotOverflowTheStack() {
        App roomy = App.builder("2", "roomy", "s").name("r").clientEventRate(0).maxPendingFrames(1_000_000).build();
        PusherServer big = new PusherServer(new StaticAppRegistry(List.of(roomy)), broadcasting, FrameLog.SILENT);
        RecordingTransport transport = new RecordingTransport();
        Connection connection = big.open(transport, "roomy", null, null);
        for (int i = 0; i < 200_000; i++) {
            connection.send("f");
        }
        assertEquals(200_001, transport.frames().size());
        assertEquals(0, connection.pendingFrames());
    }

    @Test
    void livenessPingsASilentConnectionThenClosesItWith4201() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        long start = connection.lastSeenNanos();
        server.checkLiveness(start + Duration.ofSeconds(59).toNanos());
        assertEquals(List.of(), transport.take());
        server.checkLiveness(start + Duration.ofSeconds(60).toNanos());
        assertEquals(List.of(Frames.PING), transport.take());
        assertEquals(1, transport.pings());
        server.checkLiveness(start + Duration.ofSeconds(89).toNanos());
        assertEquals(-1, transport.closeCode());
        server.checkLiveness(start + Duration.ofSeconds(90).toNanos());
        assertEquals(List.of(PusherError.PONG_TIMEOUT.frame()), transport.take());
        assertEquals(4201, transport.closeCode());
        assertTrue(connection.isClosed());
    }

    @Test
    void aPongThatAnswersOurPingCountsAsLiveness() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        long start = connection.lastSeenNanos();
        server.checkLiveness(start + Duration.ofSeconds(61).toNanos());
        server.pong(connection, true);
        server.checkLiveness(start + Duration.ofSeconds(95).toNanos());
        assertEquals(-1, transport.closeCode());
    }

    @Test
    void drainTellsEveryClientToReconnect() {
        RecordingTransport transport = new RecordingTransport();
        open(transport);
        server.drain(PusherError.SERVER_RESTARTING, 100);
        assertEquals(List.of(PusherError.SERVER_RESTARTING.frame()), transport.take());
        assertEquals(4200, transport.closeCode());
        assertEquals(0, server.connectionCount());
    }

    @Test
    void framesArrivingWhileASubscriptionIsConfirmedFollowTheConfirmation() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = server.open(transport, "key", null, "7");
        transport.take();
        connection.hold();
        connection.send("{\"event\":\"delivered-after-join\"}");
        assertTrue(transport.take().isEmpty(), "nothing goes out before the confirmation");
        connection.release(EncodedFrame.of("{\"event\":\"pusher_internal:subscription_succeeded\"}"));
        connection.send("{\"event\":\"later\"}");
        assertEquals(List.of("{\"event\":\"pusher_internal:subscription_succeeded\"}", "{\"event\":\"delivered-after-join\"}",
                "{\"event\":\"later\"}"), transport.take());
    }
}
