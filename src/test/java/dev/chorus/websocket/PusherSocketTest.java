package dev.chorus.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.app.StaticAppRegistry;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.connection.FrameLog;
import dev.chorus.connection.Transport;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.EncodedFrame;
import dev.chorus.protocol.PusherError;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.LocalRelay;
import dev.chorus.server.Admission;
import dev.chorus.server.PusherServer;
import dev.chorus.testing.ClientFrames;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The socket set-up both endpoints share, driven as they drive it: no container, a real server. */
class PusherSocketTest {
    private static final String PROXY = "10.0.0.1";

    private final App app = TestApps.app().maxMessageSize(2_000).pingInterval(Duration.ofSeconds(10))
            .pongTimeout(Duration.ofSeconds(5)).allowedOrigins(List.of("ok.example")).allowMissingOrigin(true).build();
    private final StaticAppRegistry apps = new StaticAppRegistry(List.of(app));
    /** One socket per client address; the proxy's forwarded-for names the client. */
    private final PusherServer server = new PusherServer(apps, Broadcasting.of(new LocalRelay("test"), ClusterState.NONE),
            FrameLog.SILENT, Metrics.NONE, new Admission(0, 1, List.of(PROXY)));

    /** A recording transport that also keeps the pong payloads it was asked about. */
    private static final class Socket implements Transport {
        final RecordingTransport recorded = new RecordingTransport();
        final List<ByteBuffer> asked = new ArrayList<>();
        boolean ours = true;

        @Override
        public void send(EncodedFrame frame, Completion done) {
            recorded.send(frame, done);
        }

        @Override
        public void close(int code, String reason) {
            recorded.close(code, reason);
        }

        @Override
        public void ping() {
            recorded.ping();
        }

        @Override
        public boolean answersPing(ByteBuffer payload) {
            asked.add(payload);
            return ours;
        }
    }

    private PusherSocket open(Socket transport, String origin, List<String> protocol, Object remote, String forwardedFor) {
        return PusherSocket.open(server, transport, TestApps.KEY, origin, protocol, remote, forwardedFor);
    }

    private PusherSocket open(Socket transport) {
        PusherSocket socket = open(transport, null, List.of("7"), null, null);
        assertTrue(socket.accepted(), () -> "refused: " + transport.recorded.frames());
        transport.recorded.take();
        return socket;
    }

    private static InetSocketAddress address(String ip) {
        return new InetSocketAddress(ip, 40_000);
    }

    @Test
    void limitsAreTheAppsMaximumMessageAndItsIdleBackstop() {
        PusherSocket.Limits limits = PusherSocket.limits(apps, TestApps.KEY);
        assertEquals(2_000, limits.maxMessage());
        assertEquals(app.idleBackstop(), limits.idleBackstop());
        assertEquals(Duration.ofSeconds(30), limits.idleBackstop());
    }

    @Test
    void anUnknownKeyHasNoLimitsAndItsSocketIsRefusedAndIgnored() {
        assertNull(PusherSocket.limits(apps, "nope"));
        Socket transport = new Socket();
        PusherSocket socket = PusherSocket.open(server, transport, "nope", null, List.of("7"), null, null);
        assertFalse(socket.accepted());
        assertFalse(socket.isOpen());
        assertEquals(List.of(PusherError.APP_NOT_FOUND.frame()), transport.recorded.take());
        assertEquals(4001, transport.recorded.closeCode());

        socket.text(ClientFrames.subscribe("a"));
        socket.binary();
        socket.pong(ByteBuffer.allocate(8));
        assertFalse(socket.ping());
        socket.closed();
        assertEquals(List.of(), transport.recorded.frames());
        assertEquals(4001, transport.recorded.closeCode());
        assertEquals(List.of(), transport.asked);
    }

    @Test
    void theFirstProtocolValueIsTheVersionTheClientSpeaks() {
        Socket tooOld = new Socket();
        assertFalse(open(tooOld, null, List.of("3", "7"), null, null).accepted());
        assertEquals(PusherError.UNSUPPORTED_PROTOCOL.code(), tooOld.recorded.closeCode());

        assertTrue(open(new Socket(), null, List.of("7", "3"), null, null).accepted());
        assertTrue(open(new Socket(), null, null, null, null).accepted(), "no protocol parameter");
        assertTrue(open(new Socket(), null, List.of(), null, null).accepted(), "an empty protocol parameter");
    }

    @Test
    void theOriginIsCheckedAgainstTheAppsAllowedOrigins() {
        Socket foreign = new Socket();
        assertFalse(open(foreign, "https://evil.example", List.of("7"), null, null).accepted());
        assertEquals(PusherError.ORIGIN_NOT_ALLOWED.code(), foreign.recorded.closeCode());

        assertTrue(open(new Socket(), "https://ok.example", List.of("7"), null, null).accepted());
    }

    @Test
    void thePeersAddressCountsAgainstThePerAddressCap() {
        assertTrue(open(new Socket(), null, null, address("192.0.2.7"), null).accepted());
        Socket second = new Socket();
        assertFalse(open(second, null, null, address("192.0.2.7"), null).accepted());
        assertEquals(PusherError.ADDRESS_FULL.code(), second.recorded.closeCode());
        assertTrue(open(new Socket(), null, null, address("192.0.2.8"), null).accepted());
    }

    @Test
    void anAddressTheContainerDidNotResolveOrGiveIsNotCounted() {
        for (Object remote : Arrays.asList(null, InetSocketAddress.createUnresolved("client.example", 1), "192.0.2.7")) {
            assertTrue(open(new Socket(), null, null, remote, null).accepted(), String.valueOf(remote));
            assertTrue(open(new Socket(), null, null, remote, null).accepted(), String.valueOf(remote));
        }
    }

    @Test
    void behindATrustedProxyTheForwardedForNamesTheClient() {
        assertTrue(open(new Socket(), null, null, address(PROXY), "198.51.100.1").accepted());
        Socket again = new Socket();
        assertFalse(open(again, null, null, address(PROXY), "198.51.100.1").accepted());
        assertEquals(PusherError.ADDRESS_FULL.code(), again.recorded.closeCode());
        assertTrue(open(new Socket(), null, null, address(PROXY), "198.51.100.2").accepted());
    }

    @Test
    void theConfiguratorJoinsForwardedForHeadersAndTakesTheFirstOrigin() {
        assertEquals("198.51.100.1,10.0.0.1", PusherSocket.joined(List.of("198.51.100.1", "10.0.0.1")));
        assertNull(PusherSocket.joined(List.of()));
        assertNull(PusherSocket.joined(null));
        assertEquals("https://ok.example", PusherSocket.first(List.of("https://ok.example", "https://other.example")));
        assertNull(PusherSocket.first(List.of()));
        assertNull(PusherSocket.first(null));
    }

    @Test
    void aTextMessageGoesToTheServer() {
        Socket transport = new Socket();
        PusherSocket socket = open(transport);
        socket.text(ClientFrames.subscribe("a"));
        assertEquals(List.of("{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{}\",\"channel\":\"a\"}"),
                transport.recorded.frames());
    }

    @Test
    void aBinaryMessageClosesTheSocketWith1003() {
        Socket transport = new Socket();
        PusherSocket socket = open(transport);
        socket.binary();
        assertEquals(1003, transport.recorded.closeCode());
        assertEquals("Binary messages are not supported", transport.recorded.closeReason());
    }

    @Test
    void aPongIsCheckedAgainstOurPingsToken() {
        Socket transport = new Socket();
        PusherSocket socket = open(transport);
        ByteBuffer payload = ByteBuffer.allocate(Long.BYTES).putLong(0, 42);
        socket.pong(payload);
        assertEquals(1, transport.asked.size());
        assertSame(payload, transport.asked.get(0));
    }

    @Test
    void aClientPingIsAnsweredWhileTheConnectionIsOpen() {
        PusherSocket socket = open(new Socket());
        assertTrue(socket.ping());
        socket.closed();
        assertFalse(socket.ping());
    }

    @Test
    void aServerSideCloseEndsTheHandlingOfInboundFrames() {
        Socket transport = new Socket();
        PusherSocket socket = open(transport);
        assertTrue(socket.isOpen());
        server.drain(PusherError.SERVER_RESTARTING, 0);
        assertFalse(socket.isOpen());
        transport.recorded.take();
        socket.text(ClientFrames.subscribe("a"));
        assertEquals(List.of(), transport.recorded.frames());
    }

    @Test
    void closingTwiceReleasesTheConnectionOnce() {
        App single = TestApps.app().maxConnections(1).build();
        PusherServer one = new PusherServer(new StaticAppRegistry(List.of(single)),
                Broadcasting.of(new LocalRelay("test"), ClusterState.NONE), FrameLog.SILENT);
        PusherSocket first = PusherSocket.open(one, new Socket(), TestApps.KEY, null, null, null, null);
        assertTrue(first.accepted());
        assertFalse(PusherSocket.open(one, new Socket(), TestApps.KEY, null, null, null, null).accepted());
        first.closed();
        first.closed();
        PusherSocket second = PusherSocket.open(one, new Socket(), TestApps.KEY, null, null, null, null);
        assertTrue(second.accepted());
        assertFalse(PusherSocket.open(one, new Socket(), TestApps.KEY, null, null, null, null).accepted(),
                "the second close released nothing more");
    }
}
