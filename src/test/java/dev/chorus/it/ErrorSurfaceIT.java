package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every error page (issue 12, point 7): requests a client gets wrong, at every layer (Jetty's parser,
 * its URI rules, the gate, the web app), each answered with the API's JSON, no Server header, no
 * version, no exception name, no echo of the URI or its signature; and the server's log gets no
 * stack trace and nothing at WARNING or above for any of them. A normal client is served after.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ErrorSurfaceIT {
    private static final String SIGNATURE = "deadbeefcafe";

    @Test
    void everyClientErrorIsJsonWithoutVersionOrTraceAndLeavesTheLogQuiet() throws Exception {
        try (ChorusProcess chorus = ChorusProcess.start("apps:\n  - id: \"e1\"\n    key: err-key\n    secret: err-secret\n")) {
            String longUri = "/apps/e1/events?x=" + "a".repeat(20_000);
            String bigHeader = "X-Big: " + "b".repeat(20_000) + "\r\n";
            String q = "?auth_key=err-key&auth_signature=" + SIGNATURE;
            List<String[]> cases = List.of(
                    new String[] {"400", "POST //apps/e1/events" + q + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"},
                    new String[] {"400", "POST /apps%2Fe1/events" + q + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"},
                    new String[] {"400", "POST /apps;x/e1/events" + q + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"},
                    new String[] {"400", "GET /apps/e1/../e1/connections" + q + " HTTP/1.1\r\nHost: x\r\n\r\n"},
                    new String[] {"413", "POST /apps/e1/events" + q + " HTTP/1.1\r\nHost: x\r\nContent-Length: 9999999999\r\n\r\n{}"},
                    new String[] {"400", "POST /apps/e1/events" + q + " HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n{}"},
                    new String[] {"414", "GET " + longUri + " HTTP/1.1\r\nHost: x\r\n\r\n"},
                    new String[] {"431", "GET /up HTTP/1.1\r\nHost: x\r\n" + bigHeader + "\r\n"},
                    new String[] {"400", "GET /up HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n"},
                    new String[] {"401", "POST /apps/e1/events" + q + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"},
                    new String[] {"404", "GET /nothing/here HTTP/1.1\r\nHost: x\r\n\r\n"},
                    new String[] {"405", "DELETE /up HTTP/1.1\r\nHost: x\r\n\r\n"});
            List<String> problems = new ArrayList<>();
            for (int round = 0; round < 20; round++) {
                for (String[] c : cases) {
                    String answer = exchange(chorus.port, c[1]);
                    if (round == 0) {
                        check(c, answer, problems);
                    }
                }
                // Early EOF: the client hangs up mid-body (routine, at most a debug line).
                try (Socket socket = RawHttp.open(chorus.port, "127.0.0.1")) {
                    socket.getOutputStream().write(("POST /apps/e1/events" + q + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 100\r\n\r\n{\"na").getBytes(StandardCharsets.US_ASCII));
                    socket.shutdownOutput();
                    String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                    if (round == 0 && !answer.isEmpty()) {
                        check(new String[] {"400", "early EOF"}, answer, problems);
                    }
                } catch (IOException reset) {
                    // a reset is also a fine answer to a half-sent request
                }
            }
            assertEquals(List.of(), problems);
            assertTrue(Normal.up(chorus.port) < 1_000);
            String log = chorus.output();
            assertFalse(log.contains("\tat ") || log.contains("Exception"), "no stack trace in the log:\n" + log);
            assertFalse(log.contains(" WARNING ") || log.contains(" SEVERE "), "nothing at WARNING or above:\n" + log);
            assertFalse(log.contains(SIGNATURE), "the request's signature is never logged");
        }
    }

    private static void check(String[] c, String answer, List<String> problems) {
        String head = answer.lines().findFirst().orElse("(no answer)");
        String lower = answer.toLowerCase(Locale.ROOT);
        String what = c[0] + " expected for " + c[1].substring(0, Math.min(60, c[1].length())) + ": ";
        if (!head.startsWith("HTTP/1.1 " + c[0])) {
            problems.add(what + head);
        }
        if (!lower.contains("content-type: application/json") || !answer.contains("{\"error\":\"")) {
            problems.add(what + "not JSON: " + answer.substring(0, Math.min(300, answer.length())));
        }
        if (lower.contains("\nserver:") || lower.contains("jetty") || lower.contains("exception") || lower.contains("<html")
                || answer.contains(SIGNATURE)) {
            problems.add(what + "leaks: " + answer.substring(0, Math.min(300, answer.length())));
        }
    }

    private static String exchange(int port, String request) throws IOException {
        try (Socket socket = RawHttp.open(port, "127.0.0.1")) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketException reset) {
            return "(reset)";
        }
    }
}
