package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The other half of every attack test: a normal client, on its own loopback address (so per-address
 * limits aimed at the attacker do not apply to it), doing what clients do while the attack runs.
 */
final class Normal {
    static final String FROM = "127.0.0.2";

    private Normal() {
    }

    /** Milliseconds for {@code GET /up}. */
    static long up(int port) throws IOException {
        long start = System.nanoTime();
        String answer = exchange(port, "GET /up HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /**
     * Opens a socket, subscribes to {@code channel}, triggers a signed event to it over HTTP and waits
     * for it: the whole round trip a client and its server do, in milliseconds.
     */
    static long roundTrip(int port, String appId, String key, String secret, String channel) throws Exception {
        long start = System.nanoTime();
        try (RawWebSocket ws = RawWebSocket.connectFrom(FROM, port, "/app/" + key + "?protocol=7&client=java&version=2.4.4",
                Map.of(), 0)) {
            assertNotNull(ws.nextText(5_000), "connection_established");
            ws.sendText(Wire.subscribe(channel));
            assertEquals(Wire.succeeded(channel), ws.nextText(5_000));
            String body = "{\"name\":\"tick\",\"channel\":\"" + channel + "\",\"data\":\"{}\"}";
            String target = Http.signedTarget("POST", "/apps/" + appId + "/events", "/apps/" + appId + "/events", key, secret,
                    System.currentTimeMillis() / 1000, Map.of(), body);
            String answer = exchange(port, "POST " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                    + "\r\n\r\n" + body);
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            String event = ws.nextText(5_000);
            assertNotNull(event);
            assertTrue(event.contains("\"event\":\"tick\""), event);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static String exchange(int port, String request) throws IOException {
        try (Socket socket = RawHttp.open(port, FROM)) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
