package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.chorus.app.App;
import dev.chorus.app.StaticAppRegistry;
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
import java.util.List;
import org.junit.jupiter.api.Test;

class HandshakeTest {
    private final App app = TestApps.app().allowedOrigins(List.of("example.com")).allowMissingOrigin(true)
            .maxConnections(1).build();
    private final App disabled = App.builder("2", "off-key", "s").enabled(false).build();
    private final Broadcasting broadcasting = Broadcasting.of(new LocalRelay("test"), ClusterState.NONE);
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final Admission admission = new Admission(10, 0, List.of());
    private final Disconnect disconnect = new Disconnect(registry, broadcasting.membership(),
            new Watchlists(broadcasting.membership(), broadcasting.occupancy()), admission,
            Metrics.NONE, FrameLog.SILENT);
    private final Handshake handshake = new Handshake(new StaticAppRegistry(List.of(app, disabled)),
            broadcasting.membership(), broadcasting.occupancy(), registry, disconnect, admission, Metrics.NONE, FrameLog.SILENT);

    private RecordingTransport refused(String key, String origin, String protocol) {
        RecordingTransport transport = new RecordingTransport();
        assertNull(handshake.open(transport, key, origin, protocol, null, null));
        return transport;
    }

    @Test
    void anAcceptedSocketIsRegisteredAndToldItsIdAndActivityTimeout() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = handshake.open(transport, TestApps.KEY, null, "7", null, null);
        assertNotNull(connection);
        assertSame(connection, registry.connection(app, connection.socketId()));
        assertEquals(List.of(Frames.connectionEstablished(connection.socketId(), 30)), transport.frames());
        assertEquals(1, admission.open());
    }

    @Test
    void eachRefusalIsSentAsAPusherErrorAndClosedWithTheSameCode() {
        assertEquals(4001, refused("nope", null, "7").closeCode());
        assertEquals(4003, refused("off-key", null, "7").closeCode());
        assertEquals(4006, refused(TestApps.KEY, null, "seven").closeCode());
        assertEquals(4007, refused(TestApps.KEY, null, "8").closeCode());
        RecordingTransport origin = refused(TestApps.KEY, "https://evil.com", "7");
        assertEquals(List.of(PusherError.ORIGIN_NOT_ALLOWED.frame()), origin.frames());
        assertEquals(4009, origin.closeCode());
        assertEquals(0, admission.open(), "every refused socket gave its admission back");
        assertEquals(0, registry.connectionCount());
    }

    @Test
    void theAppsConnectionLimitRefusesWith4004UntilAPlaceIsFree() {
        Connection first = handshake.open(new RecordingTransport(), TestApps.KEY, null, null, null, null);
        assertEquals(4004, refused(TestApps.KEY, null, null).closeCode());
        disconnect.closed(first);
        assertNotNull(handshake.open(new RecordingTransport(), TestApps.KEY, null, null, null, null));
    }

    @Test
    void socketIdsAreUniqueOnTheNode() {
        App roomy = app.toBuilder().maxConnections(-1).build();
        Handshake roomyHandshake = new Handshake(new StaticAppRegistry(List.of(roomy)), broadcasting.membership(),
                broadcasting.occupancy(), registry, disconnect, Admission.UNLIMITED, Metrics.NONE, FrameLog.SILENT);
        Connection one = roomyHandshake.open(new RecordingTransport(), TestApps.KEY, null, null, null, null);
        Connection two = roomyHandshake.open(new RecordingTransport(), TestApps.KEY, null, null, null, null);
        assertNotEquals(one.socketId(), two.socketId());
    }

    @Test
    void aSocketOverTheNodesCapIsRefusedBeforeItsAppIsLookedAt() {
        Handshake full = new Handshake(new StaticAppRegistry(List.of(app)), broadcasting.membership(),
                broadcasting.occupancy(), registry, disconnect, new Admission(0, 1, List.of()), Metrics.NONE, FrameLog.SILENT);
        assertNotNull(full.open(new RecordingTransport(), TestApps.KEY, null, null, "10.0.0.1", null));
        RecordingTransport second = new RecordingTransport();
        assertNull(full.open(second, "nope", null, null, "10.0.0.1", null));
        assertEquals(List.of(PusherError.ADDRESS_FULL.frame()), second.frames());
    }
}
