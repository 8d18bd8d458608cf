package dev.chorus.server;

import static dev.chorus.testing.ClientFrames.subscribe;
import static dev.chorus.testing.ClientFrames.subscribePresence;
import static dev.chorus.testing.ClientFrames.subscribePrivate;
import static dev.chorus.testing.ClientFrames.unsubscribe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.broadcast.Broadcaster;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.InboundFrame;
import dev.chorus.protocol.InboundFrame.MalformedFrameException;
import dev.chorus.protocol.PusherError;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.LocalRelay;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubscriptionsTest {
    private final App app = TestApps.app().limits(new App.Limits(2, 0, 1, 100, 10, 1_000)).build();
    private final Broadcasting broadcasting = Broadcasting.of(new LocalRelay("test"), ClusterState.NONE);
    private final Broadcaster broadcaster = broadcasting.broadcaster();
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final Subscriptions subscriptions = new Subscriptions(broadcaster, broadcasting.membership(), broadcasting.occupancy(),
            broadcasting.webhooks(), registry);

    private Connection open(RecordingTransport transport) {
        Connection connection = new Connection("1." + registry.reserve(app), app, transport, FrameLog.SILENT, () -> { });
        registry.add(connection);
        return connection;
    }

    private void subscribeTo(Connection connection, String frame) throws MalformedFrameException {
        subscriptions.subscribe(connection, InboundFrame.parse(frame));
    }

    @Test
    void aPublicChannelIsJoinedAndConfirmed() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        subscribeTo(connection, subscribe("news"));
        assertEquals(List.of(Frames.subscriptionSucceeded("news", "{}")), transport.frames());
        assertTrue(connection.subscriptions().containsKey("news"));
        assertEquals(1, broadcaster.channels(app).find("news").subscriptionCount());
    }

    @Test
    void aPrivateChannelWithoutAValidSignatureFailsAloneAndTheSocketStaysOpen() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        subscribeTo(connection, subscribe("private-room"));
        assertEquals(List.of(Frames.subscriptionError("private-room", "AuthError", "Invalid signature", 401),
                PusherError.UNAUTHORIZED.frame()), transport.frames());
        assertEquals(-1, transport.closeCode());
        assertEquals(0, broadcaster.channels(app).size());
    }

    @Test
    void aPrivateChannelSignedForThisSocketIsJoined() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        subscribeTo(connection, subscribePrivate(connection.socketId(), "private-room"));
        assertEquals(List.of(Frames.subscriptionSucceeded("private-room", "{}")), transport.frames());
    }

    @Test
    void aPresenceMemberIsAnnouncedIndexedUnderItsUserAndForgottenWhenItLeaves() throws Exception {
        RecordingTransport watcherTransport = new RecordingTransport();
        Connection watcher = open(watcherTransport);
        subscribeTo(watcher, subscribePresence(watcher.socketId(), "presence-room", "w"));
        watcherTransport.take();
        Connection ann = open(new RecordingTransport());

        subscribeTo(ann, subscribePresence(ann.socketId(), "presence-room", "ann"));
        assertEquals(List.of(Frames.memberAdded("presence-room", "\"ann\"", null)), watcherTransport.take());
        assertEquals(List.of(ann), registry.withUser(app, "ann"));

        subscriptions.unsubscribe(ann, InboundFrame.parse(unsubscribe("presence-room")));
        assertEquals(List.of(Frames.memberRemoved("presence-room", "\"ann\"")), watcherTransport.take());
        assertEquals(List.of(), registry.withUser(app, "ann"));
        assertEquals(1, registry.indexedUsers(app), "only the watcher is left in the index");
    }

    @Test
    void aCacheChannelAnswersItsLastEventOrACacheMiss() throws Exception {
        RecordingTransport first = new RecordingTransport();
        subscribeTo(open(first), subscribe("cache-prices"));
        assertEquals(List.of(Frames.subscriptionSucceeded("cache-prices", "{}"), Frames.cacheMiss("cache-prices")),
                first.frames());

        broadcaster.publish(app, "cache-prices", "tick", "{\"p\":1}", null);
        RecordingTransport second = new RecordingTransport();
        subscribeTo(open(second), subscribe("cache-prices"));
        assertEquals(List.of(Frames.subscriptionSucceeded("cache-prices", "{}"), Frames.event("tick", "cache-prices", "{\"p\":1}")),
                second.frames());
    }

    @Test
    void aSubscribeOverTheConnectionsChannelLimitFailsBeforeItsSignatureIsChecked() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        subscribeTo(connection, subscribe("a"));
        subscribeTo(connection, subscribe("b"));
        transport.take();
        subscribeTo(connection, subscribe("private-unsigned"));
        assertEquals(List.of(Frames.tooManyChannelsOnConnection("private-unsigned", 2)), transport.frames());
        subscribeTo(connection, subscribe("a"));
        assertEquals(Frames.subscriptionSucceeded("a", "{}"), transport.last(), "a channel it holds is confirmed again");
    }

    @Test
    void aSignedInConnectionsOwnUserChannelIsOnlyConfirmedAndAnyOtherIsRefused() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        registry.indexUser(connection, "ann");
        connection.userId("ann");
        connection.subscriptions().put("#server-to-user-ann", Connection.NOT_PRESENCE);

        subscribeTo(connection, subscribe("#server-to-user-ann"));
        assertEquals(List.of(Frames.subscriptionSucceeded("#server-to-user-ann", "{}")), transport.take());
        assertEquals(0, broadcaster.channels(app).size(), "not joined a second time");

        subscribeTo(connection, subscribe("#server-to-user-bob"));
        assertEquals(List.of(Frames.subscriptionError("#server-to-user-bob", "AuthError",
                "Channel is reserved for signed-in users", 403), PusherError.UNAUTHORIZED.frame()), transport.take());
    }

    @Test
    void theServerToUserChannelCannotBeLeftByUnsubscribing() throws Exception {
        Connection connection = open(new RecordingTransport());
        connection.userId("ann");
        connection.subscriptions().put("#server-to-user-ann", Connection.NOT_PRESENCE);
        subscriptions.unsubscribe(connection, InboundFrame.parse(unsubscribe("#server-to-user-ann")));
        assertTrue(connection.subscriptions().containsKey("#server-to-user-ann"));
    }

    @Test
    void aConnectionClosedBeforeItsSubscribeIsLeftInNoChannelRosterOrIndex() throws Exception {
        Connection connection = open(new RecordingTransport());
        connection.markClosed();
        registry.remove(connection);
        subscribeTo(connection, subscribePresence(connection.socketId(), "presence-room", "ann"));
        subscribeTo(connection, subscribe("news"));
        assertEquals(0, broadcaster.channels(app).size());
        assertTrue(connection.subscriptions().isEmpty());
        assertEquals(0, registry.indexedUsers(app));
    }

    @Test
    void aSubscribeWithoutAChannelIsMalformed() {
        Connection connection = open(new RecordingTransport());
        assertThrows(MalformedFrameException.class,
                () -> subscribeTo(connection, "{\"event\":\"pusher:subscribe\",\"data\":{}}"));
        assertThrows(MalformedFrameException.class,
                () -> subscribeTo(connection, "{\"event\":\"pusher:subscribe\",\"data\":\"news\"}"));
    }
}
