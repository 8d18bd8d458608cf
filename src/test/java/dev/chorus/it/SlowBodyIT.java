package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow request bodies (issue 12, point 2): 300 sockets that announce a 9,000-byte trigger body and
 * then trickle it must not hold the server. Each is answered 429 (over the per-address bound of
 * requests in flight) or 408 (too slow, or not done within the deadline), and throughout the attack
 * {@code /up}, a WebSocket handshake and a signed trigger from another client answer within a second.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowBodyIT {
    private static final String CONFIG = """
            server:
              request_timeout: 4
            apps:
              - id: "s1"
                key: slow-key
                secret: slow-secret
            """;
    private static final int ATTACKERS = 300;

    @Test
    void trickledBodiesAreRefusedAndNeverStallUpHandshakesOrTriggers() throws Exception {
        try (ChorusProcess chorus = ChorusProcess.start(CONFIG)) {
            long warm = Normal.roundTrip(chorus.port, "s1", "slow-key", "slow-secret", "warm-up");
            List<Socket> attackers = new ArrayList<>();
            try {
                for (int i = 0; i < ATTACKERS; i++) {
                    Socket socket = RawHttp.open(chorus.port, "127.0.0.1");
                    // Plain trigger bodies, and the same with an Upgrade header (not a WebSocket handshake:
                    // Jetty serves it as a plain request) on a form route, which once skipped the gate.
                    String head = i % 4 == 0
                            ? "POST /apps/s1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            : "POST /demo/auth HTTP/1.1\r\nHost: x\r\nUpgrade: foo\r\nConnection: Upgrade\r\n"
                                    + "Content-Type: application/x-www-form-urlencoded\r\n";
                    socket.getOutputStream().write((head + "Content-Length: 9000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    attackers.add(socket);
                }
                // While every attacker is still trickling: the others are served at once.
                for (int round = 0; round < 3; round++) {
                    for (Socket socket : attackers) {
                        if (!socket.isClosed()) {
                            try {
                                socket.getOutputStream().write('"');
                            } catch (IOException answeredAndClosed) {
                                socket.close();
                            }
                        }
                    }
                    long up = Normal.up(chorus.port);
                    long trip = Normal.roundTrip(chorus.port, "s1", "slow-key", "slow-secret", "normal-" + round);
                    assertTrue(up < 1_000, "/up took " + up + " ms during the attack");
                    assertTrue(trip < 2_000, "handshake + subscribe + trigger took " + trip + " ms during the attack (warm: " + warm + ")");
                }
                // The attack's half: every attacker gets a refusal, not a held thread, within the deadline.
                int refused = 0;
                for (Socket socket : attackers) {
                    if (socket.isClosed()) {
                        refused++;
                        continue;
                    }
                    socket.setSoTimeout(10_000);
                    String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                    assertTrue(answer.startsWith("HTTP/1.1 429") || answer.startsWith("HTTP/1.1 408"), answer);
                    assertTrue(answer.contains("application/json") && answer.contains("{\"error\":"), answer);
                    refused++;
                }
                assertTrue(refused == ATTACKERS, refused + " of " + ATTACKERS);
            } finally {
                for (Socket socket : attackers) {
                    socket.close();
                }
            }
            assertTrue(!chorus.output().contains("Exception"), "no stack trace in the log:\n" + chorus.output());
        }
    }

    @Test
    void trickledRequestHeadsAreClosedAtTheDeadlineWhileOthersAreServed() throws Exception {
        try (ChorusProcess chorus = ChorusProcess.start(CONFIG)) {
            List<Socket> attackers = new ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) {
                    Socket socket = RawHttp.open(chorus.port, "127.0.0.1");
                    socket.getOutputStream().write("GET /up HTTP/1.1\r\nHost: x\r\nX-Slow: a".getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    attackers.add(socket);
                }
                long start = System.nanoTime();
                int closed = 0;
                while (closed < attackers.size()) {
                    closed = 0;
                    for (Socket socket : attackers) {
                        try {
                            // One more header byte each round: the idle timeout alone would never end this.
                            socket.getOutputStream().write('a');
                            socket.getOutputStream().flush();
                        } catch (IOException cut) {
                            closed++;
                        }
                    }
                    assertTrue(Normal.up(chorus.port) < 1_000, "/up is served meanwhile");
                    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
                    assertTrue(seconds < 12, closed + " of " + attackers.size() + " closed after " + seconds + " s");
                    Thread.sleep(500); // the attacker's own pace: one byte per socket every half second
                }
            } finally {
                for (Socket socket : attackers) {
                    socket.close();
                }
            }
        }
    }
}
