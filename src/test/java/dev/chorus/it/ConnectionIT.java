package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pusher.rest.Pusher;
import dev.chorus.it.RawWebSocket.Frame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Opening, refusing and keeping sockets alive, checked frame by frame on a raw socket. */
class ConnectionIT {
    static int port;

    @BeforeAll
    static void server() throws IOException {
        port = TestServer.shared().port;
    }

    private static void assertRefused(String path, Map<String, String> headers, int code, String message)
            throws IOException {
        try (RawWebSocket ws = RawWebSocket.connect(port, path, headers, 0)) {
            assertEquals(Wire.error(code, message), ws.nextText(5_000));
            Frame close = ws.awaitClose(5_000);
            assertEquals(code, close.closeCode(), "close code");
            assertEquals(message, close.closeReason());
        }
    }

    @Test
    void connectionEstablishedCarriesAUniqueSocketIdAndTheActivityTimeout() throws IOException {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
                assertTrue(ids.add(client.socketId()), "socket ids are unique");
            }
        }
    }

    @Test
    void unknownAppKeyIsRefusedWith4001AndClosedWithTheSameCode() throws IOException {
        assertRefused("/app/no-such-key?protocol=7", Map.of(), 4001, "Application does not exist");
    }

    @Test
    void disabledAppIsRefusedWith4003() throws IOException {
        assertRefused("/app/disabled-key?protocol=7", Map.of(), 4003, "Application is disabled");
    }

    @Test
    void protocolThatIsNotANumberIsRefusedWith4006() throws IOException {
        assertRefused("/app/app-key?protocol=seven", Map.of(), 4006, "Invalid version string format");
    }

    @Test
    void protocolOutsideFiveToSevenIsRefusedWith4007() throws IOException {
        assertRefused("/app/app-key?protocol=4", Map.of(), 4007, "Unsupported protocol version");
        assertRefused("/app/app-key?protocol=8", Map.of(), 4007, "Unsupported protocol version");
    }

    @Test
    void missingProtocolIsAcceptedAsReverbClientsSendNone() throws IOException {
        try (RawWebSocket ws = RawWebSocket.connect(port, "/app/app-key")) {
            assertTrue(ws.nextText(5_000).startsWith("{\"event\":\"pusher:connection_established\""));
        }
    }

    @Test
    void originOutsideTheAllowedGlobsIsRefusedWith4009() throws IOException {
        assertRefused("/app/strict-key?protocol=7", Map.of("Origin", "https://evil.com"), 4009, "Origin not allowed");
        assertRefused("/app/strict-key?protocol=7", Map.of("Origin", "https://example.com.evil.com"), 4009,
                "Origin not allowed");
    }

    @Test
    void originMatchingAGlobOnTheHostPartIsAccepted() throws IOException {
        try (Wire.Client client = Wire.open(port, "strict-key", Map.of("Origin", "https://app.example.com:8443"))) {
            assertNotEquals("", client.socketId());
        }
        try (Wire.Client client = Wire.open(port, "strict-key", Map.of("Origin", "http://localhost:3000"))) {
            assertNotEquals("", client.socketId());
        }
    }

    @Test
    void missingOriginIsRefusedWhenTheAppListsOrigins() throws IOException {
        assertRefused("/app/strict-key?protocol=7", Map.of(), 4009, "Origin not allowed");
    }

    @Test
    void connectionsBeyondTheAppQuotaAreRefusedWith4004UntilOneLeaves() throws Exception {
        try (Wire.Client first = Wire.open(port, "quota-key"); Wire.Client second = Wire.open(port, "quota-key")) {
            assertRefused("/app/quota-key?protocol=7", Map.of(), 4004, "Application is over connection quota");
            first.close();
            // The server sees the close asynchronously.
            long deadline = System.currentTimeMillis() + 5_000;
            while (true) {
                try (Wire.Client third = Wire.open(port, "quota-key")) {
                    assertNotEquals(second.socketId(), third.socketId());
                    break;
                } catch (AssertionError refused) {
                    if (System.currentTimeMillis() > deadline) {
                        throw refused;
                    }
                    Thread.sleep(100);
                }
            }
        }
    }

    @Test
    void pusherPingIsAnsweredWithPusherPong() throws IOException {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            client.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            assertEquals("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", client.next());
        }
    }

    @Test
    void webSocketPingIsAnsweredWithAPongCarryingTheSamePayload() throws IOException {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            client.ws().sendFrame(RawWebSocket.PING, "are you there".getBytes(StandardCharsets.UTF_8));
            Frame pong = client.ws().readFrame(5_000);
            assertEquals(RawWebSocket.PONG, pong.opcode());
            assertEquals("are you there", new String(pong.payload(), StandardCharsets.UTF_8));
            client.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            assertEquals("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", client.next());
        }
    }

    @Test
    void permessageDeflateOfferedByABrowserIsDeclined() throws IOException {
        try (RawWebSocket ws = RawWebSocket.connect(port, "/app/" + TestServer.KEY + "?protocol=7",
                Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"), 0)) {
            assertFalse(ws.handshake().toLowerCase(java.util.Locale.ROOT).contains("sec-websocket-extensions"), ws.handshake());
            assertTrue(ws.nextText(5_000).startsWith("{\"event\":\"pusher:connection_established\""));
        }
    }

    @Test
    void clientCloseIsAnsweredWithTheSameCode() throws IOException {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            client.ws().sendFrame(RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'});
            assertEquals(1000, client.ws().awaitClose(5_000).closeCode());
        }
    }

    @Test
    void messagesOfEveryFrameLengthClassArriveWhole() throws IOException {
        // 125 bytes and less, up to 65,535, and beyond: the three header forms of a server frame.
        Pusher sdk = Wire.sdk("1007", "fanout-key", "fanout-secret");
        try (Wire.Client sender = Wire.open(port, "fanout-key"); Wire.Client receiver = Wire.open(port, "fanout-key")) {
            for (Wire.Client client : List.of(sender, receiver)) {
                client.send(Wire.subscribe("private-sizes", Wire.auth(sdk, client.socketId(), "private-sizes")));
                assertEquals(Wire.succeeded("private-sizes"), client.next());
            }
            for (int size : new int[] {10, 200, 66_000}) {
                String data = "x".repeat(size);
                sender.send("{\"event\":\"client-size\",\"channel\":\"private-sizes\",\"data\":\"" + data + "\"}");
                assertEquals("{\"event\":\"client-size\",\"channel\":\"private-sizes\",\"data\":\"" + data + "\"}",
                        receiver.next());
            }
        }
    }

    @Test
    void invalidJsonGets4200AndTheSocketStaysOpen() throws IOException {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            for (String bad : new String[] {"not json", "[1,2]", "{\"data\":{}}", "{\"event\":42}",
                    "{\"event\":\"pusher:subscribe\",\"data\":\"sfsfsfs\"}",
                    "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":[\"a\"]}}",
                    "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"private-x\",\"auth\":{}}}",
                    "{\"event\":\"pusher:subscribe\"}", "{\"event\":\"pusher:unknown\",\"data\":{}}",
                    "{\"event\":\"pusher_internal:member_added\",\"data\":{}}", "{\"event\":\"hello\"}"}) {
                client.send(bad);
                assertEquals(Wire.error(4200, "Invalid message format"), client.next(), bad);
            }
            client.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            assertEquals("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", client.next());
        }
    }

    @Test
    void binaryFrameClosesWith1003() throws IOException {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            client.ws().sendFrame(RawWebSocket.BINARY, "{\"event\":\"pusher:ping\"}".getBytes());
            assertEquals(1003, client.ws().awaitClose(5_000).closeCode());
        }
    }

    @Test
    void messageOverTheAppMaximumClosesWith1009() throws IOException {
        try (Wire.Client client = Wire.open(port, "small-key")) {
            client.send("{\"event\":\"client-x\",\"channel\":\"private-a\",\"data\":\"" + "x".repeat(1200) + "\"}");
            assertEquals(1009, client.ws().awaitClose(5_000).closeCode());
        }
    }

    @Test
    void invalidUtf8ClosesWith1007() throws IOException {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            client.ws().sendFrame(RawWebSocket.TEXT, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
            assertEquals(1007, client.ws().awaitClose(5_000).closeCode());
        }
    }

    @Test
    void silentSocketIsPingedThenClosedWith4201WhenNoPongComes() throws IOException {
        try (Wire.Client client = Wire.open(port, "live-key")) {
            boolean pusherPing = false;
            boolean wsPing = false;
            String error = null;
            Frame close = null;
            long deadline = System.currentTimeMillis() + 10_000;
            while (close == null && System.currentTimeMillis() < deadline) {
                Frame frame = client.ws().readFrame(10_000);
                if (frame.opcode() == RawWebSocket.PING) {
                    wsPing = true;
                } else if (frame.opcode() == RawWebSocket.CLOSE) {
                    close = frame;
                } else if (frame.text().equals("{\"event\":\"pusher:ping\",\"data\":\"{}\"}")) {
                    pusherPing = true;
                } else {
                    error = frame.text();
                }
            }
            assertTrue(pusherPing, "pusher:ping sent");
            assertTrue(wsPing, "WebSocket ping sent");
            assertEquals(Wire.error(4201, "Pong reply not received in time"), error);
            assertEquals(4201, close.closeCode());
        }
    }

    @Test
    void socketThatAnswersPingsStaysOpen() throws IOException {
        try (Wire.Client client = Wire.open(port, "live-key")) {
            long end = System.currentTimeMillis() + 4_000;
            while (System.currentTimeMillis() < end) {
                Frame frame = client.ws().readFrame(5_000);
                assertNotEquals(RawWebSocket.CLOSE, frame.opcode(), "closed although it answered");
                if (frame.opcode() == RawWebSocket.TEXT && frame.text().contains("pusher:ping")) {
                    client.send("{\"event\":\"pusher:pong\",\"data\":{}}");
                }
            }
            client.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            String reply;
            do {
                reply = client.next();
            } while (reply.contains("pusher:ping"));
            assertEquals("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", reply);
        }
    }

    @Test
    void webSocketPongAloneKeepsTheSocketAlive() throws IOException {
        try (Wire.Client client = Wire.open(port, "live-key")) {
            long end = System.currentTimeMillis() + 4_000;
            while (System.currentTimeMillis() < end) {
                Frame frame = client.ws().readFrame(5_000);
                assertNotEquals(RawWebSocket.CLOSE, frame.opcode(), "closed although it answered");
                if (frame.opcode() == RawWebSocket.PING) {
                    client.ws().sendFrame(RawWebSocket.PONG, frame.payload());
                }
            }
        }
    }
}
