package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connection floods (issue 12, point 11): one address, or one client behind a proxy, cannot open
 * more than its share; the server as a whole not more than its cap. Refusals are a clear 4100 naming
 * the limit, raw TCP floods are closed as they open, and a normal client on another address still
 * connects, subscribes and receives within its usual time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectionFloodIT {
    private static final String APP = """
            apps:
              - id: "c1"
                key: flood-key
                secret: flood-secret
            """;

    @Test
    void oneAddressGetsAClear4100PastItsShareAndRawSocketFloodsAreCutWhileOthersConnect() throws Exception {
        try (ChorusProcess chorus = ChorusProcess.start("server:\n  max_connections_per_address: 10\n  trusted_proxies: []\n" + APP)) {
            List<RawWebSocket> held = new ArrayList<>();
            List<Socket> raw = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    RawWebSocket ws = RawWebSocket.connectFrom("127.0.0.1", chorus.port, "/app/flood-key?protocol=7", Map.of(), 0);
                    assertTrue(ws.nextText(5_000).contains("connection_established"));
                    held.add(ws);
                }
                RawWebSocket over = RawWebSocket.connectFrom("127.0.0.1", chorus.port, "/app/flood-key?protocol=7", Map.of(), 0);
                assertRefused(over, "max_connections_per_address");
                // A raw socket flood past twice the share is closed as it opens, before any request.
                int cut = 0;
                for (int i = 0; i < 40; i++) {
                    Socket socket = RawHttp.open(chorus.port, "127.0.0.1");
                    raw.add(socket);
                    socket.setSoTimeout(3_000);
                    try {
                        if (socket.getInputStream().read() < 0) {
                            cut++;
                        }
                    } catch (java.net.SocketTimeoutException stillOpen) {
                        // within the TCP share: held open, idle
                    } catch (IOException reset) {
                        cut++;
                    }
                }
                assertTrue(cut >= 20, "raw sockets cut: " + cut);
                long trip = Normal.roundTrip(chorus.port, "c1", "flood-key", "flood-secret", "normal");
                assertTrue(trip < 2_000, "normal client took " + trip + " ms");
            } finally {
                held.forEach(RawWebSocket::close);
                for (Socket socket : raw) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void clientsBehindATrustedProxyAreCountedByTheirForwardedAddress() throws Exception {
        try (ChorusProcess chorus = ChorusProcess.start("server:\n  max_connections_per_address: 5\n" + APP)) {
            List<RawWebSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    RawWebSocket ws = viaProxy(chorus.port, "198.51.100.7");
                    assertTrue(ws.nextText(5_000).contains("connection_established"));
                    held.add(ws);
                }
                assertRefused(viaProxy(chorus.port, "198.51.100.7"), "max_connections_per_address");
                // A proxy that adds its own header line (HAProxy) puts the hop to believe last: a first line
                // naming someone else must not make the attacker count as that someone.
                RawWebSocket spoofed = viaProxy(chorus.port, "198.51.100.9\r\nX-Forwarded-For: 198.51.100.7");
                assertRefused(spoofed, "max_connections_per_address");
                RawWebSocket other = viaProxy(chorus.port, "198.51.100.8");
                held.add(other);
                assertTrue(other.nextText(5_000).contains("connection_established"), "another client behind the proxy");
                long trip = Normal.roundTrip(chorus.port, "c1", "flood-key", "flood-secret", "normal");
                assertTrue(trip < 2_000, "normal client took " + trip + " ms");
            } finally {
                held.forEach(RawWebSocket::close);
            }
        }
    }

    @Test
    void theServerWideCapRefusesWithAClear4100AndFreesAsSocketsClose() throws Exception {
        try (ChorusProcess chorus = ChorusProcess.start("server:\n  max_connections: 8\n" + APP)) {
            List<RawWebSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    RawWebSocket ws = RawWebSocket.connectFrom("127.0.0.1", chorus.port, "/app/flood-key?protocol=7", Map.of(), 0);
                    assertTrue(ws.nextText(5_000).contains("connection_established"));
                    held.add(ws);
                }
                assertRefused(RawWebSocket.connectFrom("127.0.0.1", chorus.port, "/app/flood-key?protocol=7", Map.of(), 0),
                        "max_connections");
                held.remove(0).close();
                // Room again once a socket has gone (closing is asynchronous on the server: wait for it).
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (true) {
                    try {
                        long trip = Normal.roundTrip(chorus.port, "c1", "flood-key", "flood-secret", "normal");
                        assertTrue(trip < 2_000, "normal client took " + trip + " ms");
                        break;
                    } catch (AssertionError | IOException notYet) {
                        if (System.nanoTime() > deadline) {
                            throw notYet;
                        }
                        Thread.onSpinWait();
                    }
                }
            } finally {
                held.forEach(RawWebSocket::close);
            }
        }
    }

    private static RawWebSocket viaProxy(int port, String client) throws IOException {
        return RawWebSocket.connectFrom("127.0.0.1", port, "/app/flood-key?protocol=7", Map.of("X-Forwarded-For", client), 0);
    }

    private static void assertRefused(RawWebSocket ws, String limit) throws IOException {
        List<String> texts = new ArrayList<>();
        RawWebSocket.Frame close = ws.awaitClose(5_000, texts);
        assertNotNull(close);
        assertEquals(4100, close.closeCode());
        assertEquals(1, texts.size(), texts.toString());
        assertTrue(texts.get(0).contains("4100") && texts.get(0).contains(limit), texts.get(0));
        assertTrue(!texts.get(0).contains("connection_established"));
        ws.close();
    }
}
