package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.broadcast.Broadcaster;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.channel.Member;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.PusherError;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.LocalRelay;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.util.List;
import org.junit.jupiter.api.Test;

class DisconnectTest {
    private final App app = TestApps.app().build();
    private final Broadcasting broadcasting = Broadcasting.of(new LocalRelay("test"), ClusterState.NONE);
    private final Broadcaster broadcaster = broadcasting.broadcaster();
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final Admission admission = new Admission(10, 0, List.of());
    private final Disconnect disconnect = new Disconnect(registry, broadcasting.membership(),
            new Watchlists(broadcasting.membership(), broadcasting.occupancy()), admission,
            Metrics.NONE, FrameLog.SILENT);

    private Connection open(RecordingTransport transport) {
        Connection connection = new Connection("1." + registry.reserve(app), app, transport, FrameLog.SILENT, () -> { });
        registry.add(connection);
        disconnect.admitted(connection, admission.admit(null, null).ticket());
        return connection;
    }

    private void join(Connection connection, String channel, Member member) {
        broadcasting.membership().subscribe(app, channel, connection, member);
        connection.subscriptions().put(channel, member);
    }

    @Test
    void aClosedConnectionLeavesEveryChannelItsRegistryPlaceAndItsAdmission() {
        Connection connection = open(new RecordingTransport());
        join(connection, "news", Connection.NOT_PRESENCE);
        join(connection, "presence-room", new Member("ann", "\"ann\"", null));
        assertEquals(1, admission.open());
        disconnect.closed(connection);
        assertEquals(0, broadcaster.channels(app).size());
        assertTrue(connection.subscriptions().isEmpty());
        assertEquals(0, registry.connectionCount());
        assertEquals(0, admission.open());
    }

    @Test
    void closingTwiceCleansUpOnce() {
        Connection connection = open(new RecordingTransport());
        open(new RecordingTransport());
        disconnect.closed(connection);
        disconnect.closed(connection);
        assertEquals(1, admission.open(), "the other connection's admission is untouched");
        assertEquals(1, registry.connectionCount());
    }

    @Test
    void aTicketRecordedAfterItsConnectionClosedIsReleasedAtOnce() {
        Connection connection = new Connection("1.9", app, new RecordingTransport(), FrameLog.SILENT, () -> { });
        disconnect.closed(connection);
        disconnect.admitted(connection, admission.admit(null, null).ticket());
        assertEquals(0, admission.open());
    }

    @Test
    void terminatingWithFlushSendsTheErrorAfterWhatWasQueuedThenClosesWithItsCode() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        connection.send("{\"event\":\"queued\"}");
        disconnect.terminate(connection, PusherError.TERMINATED, true);
        assertEquals(List.of("{\"event\":\"queued\"}", PusherError.TERMINATED.frame()), transport.frames());
        assertEquals(PusherError.TERMINATED.code(), transport.closeCode());
        assertEquals("terminated", connection.closeReason());
        assertTrue(connection.isClosed());
    }

    @Test
    void terminatingWithoutFlushDropsWhatWasQueuedAndClosesAtOnce() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        transport.stall();
        connection.send("{\"event\":\"in-flight\"}");
        connection.send("{\"event\":\"queued\"}");
        disconnect.terminate(connection, PusherError.OVER_CAPACITY, false);
        assertEquals(List.of("{\"event\":\"in-flight\"}"), transport.frames());
        assertEquals(PusherError.OVER_CAPACITY.code(), transport.closeCode());
    }

    @Test
    void terminatingAUserClosesTheirSignedInAndPresenceConnectionsAndNoOneElses() {
        RecordingTransport signedInTransport = new RecordingTransport();
        Connection signedIn = open(signedInTransport);
        registry.indexUser(signedIn, "ann");
        signedIn.userId("ann");
        RecordingTransport presentTransport = new RecordingTransport();
        Connection present = open(presentTransport);
        registry.indexUser(present, "ann");
        join(present, "presence-room", new Member("ann", "\"ann\"", null));
        RecordingTransport bobTransport = new RecordingTransport();
        Connection bob = open(bobTransport);
        registry.indexUser(bob, "bob");
        bob.userId("bob");

        assertEquals(2, disconnect.terminateUser(app, "ann"));
        assertEquals(4009, signedInTransport.closeCode());
        assertEquals(4009, presentTransport.closeCode());
        assertFalse(bob.isClosed());
        assertEquals(-1, bobTransport.closeCode());
        assertEquals(0, disconnect.terminateUser(app, "ann"), "nothing of ann's is left");
    }
}
