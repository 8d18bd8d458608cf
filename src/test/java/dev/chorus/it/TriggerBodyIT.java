package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Triggers whose body arrives after the headers, on a raw socket: the launcher serves triggers on
 * Jetty's selector thread only when the body is there, and must wait for it elsewhere, never drop it.
 */
class TriggerBodyIT {
    static int port;

    @BeforeAll
    static void server() throws IOException {
        port = TestServer.shared().port;
    }

    /** Sends headers and the first bytes of the body, pauses, sends the rest; returns the whole answer. */
    private static String postInTwoParts(String target, String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + bytes.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes, 0, 10);
            out.flush();
            Thread.sleep(300);
            out.write(bytes, 10, bytes.length - 10);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    private static String target(String body, String secret) throws Exception {
        return Http.signedTarget("POST", "/apps/1001/events", "/apps/1001/events", TestServer.KEY, secret,
                System.currentTimeMillis() / 1000, Map.of(), body);
    }

    @Test
    void triggerWhoseBodyComesLaterIsPublishedAndAnsweredWithAnEmptyObject() throws Exception {
        String body = "{\"name\":\"late\",\"channel\":\"split-body\",\"data\":\"{\\\"n\\\":1}\"}";
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            client.send(Wire.subscribe("split-body"));
            assertEquals(Wire.succeeded("split-body"), client.next());
            String answer = postInTwoParts(target(body, TestServer.SECRET), body);
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
            assertTrue(answer.endsWith("\r\n\r\n{}"), answer);
            assertEquals("{\"event\":\"late\",\"data\":\"{\\\"n\\\":1}\",\"channel\":\"split-body\"}", client.next());
        }
    }

    @Test
    void refusedTriggerWhoseBodyComesLaterGetsTheApiErrorWithTheBodyIntact() throws Exception {
        // The body reaches JAX-RS whole: its md5 is checked there before the signature is refused.
        String body = "{\"name\":\"late\",\"channel\":\"split-body\",\"data\":\"x\"}";
        String answer = postInTwoParts(target(body, "not-the-secret"), body);
        assertTrue(answer.startsWith("HTTP/1.1 401 "), answer);
        assertTrue(answer.endsWith("\r\n\r\n{\"error\":\"Invalid signature: check the app secret, and that body_md5 matches the body\"}"),
                answer);
    }
}
