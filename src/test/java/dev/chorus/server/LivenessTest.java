package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.PusherError;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.LocalRelay;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LivenessTest {
    private static final long SECOND = 1_000_000_000L;
    private final App app = TestApps.app().pingInterval(Duration.ofSeconds(60)).pongTimeout(Duration.ofSeconds(30)).build();
    private final Broadcasting broadcasting = Broadcasting.of(new LocalRelay("test"), ClusterState.NONE);
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final Disconnect disconnect = new Disconnect(registry, broadcasting.membership(),
            new Watchlists(broadcasting.membership(), broadcasting.occupancy()),
            Admission.UNLIMITED, Metrics.NONE, FrameLog.SILENT);
    private final Liveness liveness = new Liveness(registry, disconnect, FrameLog.SILENT);

    private Connection open(RecordingTransport transport) {
        Connection connection = new Connection("1." + registry.reserve(app), app, transport, FrameLog.SILENT, () -> { });
        registry.add(connection);
        return connection;
    }

    @Test
    void aConnectionThatSpokeWithinThePingIntervalIsLeftAlone() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        liveness.check(connection.lastSeenNanos() + 59 * SECOND);
        assertEquals(List.of(), transport.frames());
        assertEquals(0, transport.pings());
    }

    @Test
    void aConnectionSilentForThePingIntervalIsPingedBothAsPusherAndAsWebSocket() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        long now = connection.lastSeenNanos() + 60 * SECOND;
        liveness.check(now);
        assertEquals(List.of(Frames.PING), transport.frames());
        assertEquals(1, transport.pings());
        assertEquals(now, connection.pingSentNanos());
        liveness.check(now + SECOND);
        assertEquals(1, transport.pings(), "one ping until it answers or times out");
    }

    @Test
    void aPingedConnectionSilentForThePongTimeoutIsToldAndClosedWith4201() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        long pinged = connection.lastSeenNanos() + 60 * SECOND;
        liveness.check(pinged);
        transport.take();
        liveness.check(pinged + 29 * SECOND);
        assertEquals(-1, transport.closeCode(), "not before the pong timeout");
        liveness.check(pinged + 30 * SECOND);
        assertEquals(List.of(PusherError.PONG_TIMEOUT.frame()), transport.frames());
        assertEquals(4201, transport.closeCode());
        assertTrue(connection.isClosed());
        assertNull(registry.connection(app, connection.socketId()));
    }

    @Test
    void aPongAnsweringOurPingProvesLifeAndAnUnsolicitedOneDoesNot() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        liveness.check(connection.lastSeenNanos() + 60 * SECOND);
        liveness.pong(connection, false);
        assertTrue(connection.pingSentNanos() != 0, "an unsolicited pong leaves the ping waiting");
        liveness.pong(connection, true);
        assertEquals(0, connection.pingSentNanos());
        liveness.check(connection.lastSeenNanos() + 59 * SECOND);
        assertEquals(-1, transport.closeCode());
        assertEquals(1, transport.pings(), "the clock starts again from the pong");
    }
}
