package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The watchlist (issue 14 §3) frame by frame: on one node (the shared launcher), and on two launchers
 * sharing a real redis-server, where a user signing in on node A is announced to a watcher on node B.
 * The same, and user sign-in's {@code sendToUser} across the two nodes, proven with the real pusher-js
 * ({@code src/test/js/watchlist.js} and {@code user-signin.js}, run as UserSigninIT runs its script).
 */
class WatchlistIT {
    static final String CONFIG = "scaling:\n  node_timeout: 4\napps:\n  - id: \"1\"\n    key: ck\n    secret: cs\n";
    static int port;
    static RedisProcess redis;
    static ChorusProcess nodeA;
    static ChorusProcess nodeB;

    @BeforeAll
    static void servers() throws Exception {
        port = TestServer.shared().port;
        redis = RedisProcess.start();
        nodeA = ClusterIT.node(redis, "watchlist-it", CONFIG);
        nodeB = ClusterIT.node(redis, "watchlist-it", CONFIG);
        ClusterIT.awaitRelaying(nodeA, nodeB);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {nodeA, nodeB, redis}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    private static String userData(String id, List<String> watchlist) {
        return "{\"id\":\"" + id + "\"" + (watchlist == null ? "" : ",\"watchlist\":["
                + watchlist.stream().map(user -> "\"" + user + "\"").collect(Collectors.joining(",")) + "]") + "}";
    }

    private static String signin(Wire.Client client, String key, String secret, String userData) throws Exception {
        return Wire.JSON.writeValueAsString(Map.of("event", "pusher:signin", "data", Map.of(
                "auth", Wire.userAuth(key, secret, client.socketId(), userData), "user_data", userData)));
    }

    private static String signinSuccess(String userData) throws IOException {
        String data = Wire.JSON.writeValueAsString(Map.of("user_data", userData));
        // Spelled out: Map.of's iteration order changes from one JVM to the next, the server's field order does not.
        return "{\"event\":\"pusher:signin_success\",\"data\":" + Wire.JSON.writeValueAsString(data) + "}";
    }

    /** Exactly Pusher's frame, written out by hand: {@code data} is a JSON string holding {@code events}. */
    private static String online(String... ids) {
        return "{\"event\":\"pusher_internal:watchlist_events\",\"data\":\"{\\\"events\\\":[{\\\"name\\\":\\\"online\\\","
                + "\\\"user_ids\\\":[" + quoted(ids) + "]}]}\"}";
    }

    private static String offline(String... ids) {
        return "{\"event\":\"pusher_internal:watchlist_events\",\"data\":\"{\\\"events\\\":[{\\\"name\\\":\\\"offline\\\","
                + "\\\"user_ids\\\":[" + quoted(ids) + "]}]}\"}";
    }

    private static String quoted(String... ids) {
        return java.util.Arrays.stream(ids).map(id -> "\\\"" + id + "\\\"").collect(Collectors.joining(","));
    }

    /** A socket on {@code port} signed in as {@code id}; the signin_success is read and checked. */
    private static Wire.Client signedIn(int port, String key, String secret, String id, List<String> watchlist)
            throws Exception {
        Wire.Client client = Wire.open(port, key);
        String userData = userData(id, watchlist);
        client.send(signin(client, key, secret, userData));
        assertEquals(signinSuccess(userData), client.next());
        return client;
    }

    private static Wire.Client local(String id, List<String> watchlist) throws Exception {
        return signedIn(port, TestServer.KEY, TestServer.SECRET, id, watchlist);
    }

    private static void assertSilent(Wire.Client client) {
        assertThrows(SocketTimeoutException.class, () -> client.ws().readFrame(300));
    }

    @Test
    void oneNodeSendsTheStatusThenOnlineOnTheFirstTabAndOfflineWhenTheLastCloses() throws Exception {
        try (Wire.Client cid = local("wl-cid", null);
             Wire.Client ann = local("wl-ann", List.of("wl-bob", "wl-cid", "wl-dee"))) {
            assertEquals("{\"event\":\"pusher_internal:watchlist_events\",\"data\":\"{\\\"events\\\":["
                    + "{\\\"name\\\":\\\"online\\\",\\\"user_ids\\\":[\\\"wl-cid\\\"]},"
                    + "{\\\"name\\\":\\\"offline\\\",\\\"user_ids\\\":[\\\"wl-bob\\\",\\\"wl-dee\\\"]}]}\"}", ann.next());
            assertSilent(ann);

            Wire.Client bob1 = local("wl-bob", null);
            assertEquals(online("wl-bob"), ann.next());
            Wire.Client bob2 = local("wl-bob", null);
            assertSilent(ann);
            bob1.close();
            assertSilent(ann);
            bob2.close();
            assertEquals(offline("wl-bob"), ann.next());
            assertSilent(ann);
        }
    }

    @Test
    void aPresenceMemberIsNotOnlineOnlyASignedInConnectionIs() throws Exception {
        try (Wire.Client ann = local("wl-ann2", List.of("wl-eve"))) {
            assertEquals(offline("wl-eve"), ann.next());
            try (Wire.Client eve = Wire.joinPresence(port, TestServer.KEY, TestServer.SECRET, "presence-wl", "wl-eve", "{}")) {
                assertSilent(ann);
            }
            assertSilent(ann);
        }
    }

    @Test
    void aWatchlistOverOneHundredIdsIsRefusedWith4009NamingTheLimit() throws Exception {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            String userData = userData("wl-many", IntStream.range(0, 101).mapToObj(i -> "u" + i).toList());
            client.send(signin(client, TestServer.KEY, TestServer.SECRET, userData));
            assertEquals(Wire.error(4009, "Watchlist too long: at most 100 user ids (watchlist)"), client.next());
        }
    }

    @Test
    void aUserSigningInOnNodeAIsAnnouncedToAWatcherOnNodeBAndGoesOfflineWithItsLastConnection() throws Exception {
        try (Wire.Client watcher = signedIn(nodeB.port, "ck", "cs", "cl-ann", List.of("cl-bob"))) {
            assertEquals(offline("cl-bob"), watcher.next());
            Wire.Client onA = signedIn(nodeA.port, "ck", "cs", "cl-bob", null);
            assertEquals(online("cl-bob"), watcher.next());
            Wire.Client onB = signedIn(nodeB.port, "ck", "cs", "cl-bob", null);
            assertSilent(watcher);
            try (Wire.Client late = signedIn(nodeA.port, "ck", "cs", "cl-cid", List.of("cl-bob"))) {
                assertEquals(online("cl-bob"), late.next(), "online on the other node counts");
            }
            onA.close();
            assertSilent(watcher);
            onB.close();
            assertEquals(offline("cl-bob"), watcher.next());
            assertSilent(watcher);
        }
    }

    @Test
    void aNodeKilledWithoutGoodbyeHasItsSignedInUsersAnnouncedOfflineOnce() throws Exception {
        ChorusProcess doomed = ClusterIT.node(redis, "watchlist-it", CONFIG);
        ClusterIT.awaitRelaying(doomed, nodeA);
        try (Wire.Client watcher = signedIn(nodeA.port, "ck", "cs", "cl-wat", List.of("cl-vic"))) {
            assertEquals(offline("cl-vic"), watcher.next());
            Wire.Client victim = signedIn(doomed.port, "ck", "cs", "cl-vic", null);
            assertEquals(online("cl-vic"), watcher.ws().nextText(30_000));
            doomed.process().destroyForcibly();
            doomed.process().waitFor();
            assertEquals(offline("cl-vic"), watcher.ws().nextText(30_000));
            assertThrows(SocketTimeoutException.class, () -> watcher.ws().readFrame(1_000), "announced once");
            victim.close();
        } finally {
            doomed.close();
        }
    }

    /** A node script in src/test/js driving the build's pusher-js; skipped (assumption) without node or pusher-js. */
    private static Process script(String name, String... args) throws IOException {
        Path modules = Path.of("src/main/js/node_modules").toAbsolutePath();
        Assumptions.assumeTrue(Files.isDirectory(modules.resolve("pusher-js")), "the build's npm ci installs pusher-js");
        List<String> command = new ArrayList<>(List.of("node", Path.of("src/test/js", name).toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("NODE_PATH", modules.toString());
        try {
            return builder.start();
        } catch (IOException e) {
            Assumptions.abort("node is not installed");
            return null;
        }
    }

    private static BufferedReader lines(Process node) {
        return new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
    }

    /** The next milestone line of the scripts; pusher-js's own log lines, if any, are skipped. */
    private static String milestone(BufferedReader out) throws IOException {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            for (String prefix : List.of("SIGNED_IN", "ONLINE ", "OFFLINE ", "SUBSCRIBED", "GOT ", "ERROR ", "TIMEOUT")) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }
        return null;
    }

    /** Tells the script to quit and checks that it printed nothing more (no duplicate, no error) and exited 0. */
    private static void quitSilently(Process node, BufferedReader out) throws Exception {
        OutputStream in = node.getOutputStream();
        in.write("quit\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
        List<String> rest = new ArrayList<>();
        for (String line = milestone(out); line != null; line = milestone(out)) {
            rest.add(line);
        }
        assertTrue(rest.isEmpty(), "nothing more, no errors: " + rest);
        assertTrue(node.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, node.exitValue());
    }

    @Test
    void realPusherJsWatchlistOnOneNodeGetsTheStatusThenOnlineAndOffline() throws Exception {
        Wire.Client bob = local("pj-bob", null);
        Process node = script("watchlist.js", String.valueOf(port), TestServer.KEY, TestServer.SECRET, "pj-ann",
                "pj-dee,pj-bob,pj-carol");
        try (BufferedReader out = lines(node)) {
            // The script gives up after 60 s with TIMEOUT, so these reads cannot hang.
            assertEquals("SIGNED_IN", milestone(out));
            assertEquals("ONLINE pj-bob", milestone(out), "pusher.user.watchlist 'online' with the initial status");
            assertEquals("OFFLINE pj-carol,pj-dee", milestone(out));
            try (Wire.Client carol = local("pj-carol", null)) {
                assertEquals("ONLINE pj-carol", milestone(out));
                bob.close();
                assertEquals("OFFLINE pj-bob", milestone(out));
                quitSilently(node, out);
            }
        } finally {
            bob.close();
            node.destroyForcibly();
        }
    }

    @Test
    void realPusherJsWatchlistOnNodeAHearsUsersSigningInAndOutOnNodeB() throws Exception {
        Process node = script("watchlist.js", String.valueOf(nodeA.port), "ck", "cs", "pj-cl-ann", "pj-cl-cid,pj-cl-bob");
        try (BufferedReader out = lines(node)) {
            assertEquals("SIGNED_IN", milestone(out));
            assertEquals("OFFLINE pj-cl-bob,pj-cl-cid", milestone(out));
            Wire.Client bob = signedIn(nodeB.port, "ck", "cs", "pj-cl-bob", null);
            try (bob) {
                assertEquals("ONLINE pj-cl-bob", milestone(out), "announced across Redis");
                try (Wire.Client cid = signedIn(nodeB.port, "ck", "cs", "pj-cl-cid", null)) {
                    assertEquals("ONLINE pj-cl-cid", milestone(out));
                    bob.close();
                    assertEquals("OFFLINE pj-cl-bob", milestone(out));
                    quitSilently(node, out);
                }
            }
        } finally {
            node.destroyForcibly();
        }
    }

    @Test
    void realPusherJsSignedInOnNodeAReceivesSendToUserTriggeredOnNodeBOnce() throws Exception {
        Process node = script("user-signin.js", String.valueOf(nodeA.port), "ck", "cs", "pj-cl-js");
        try (BufferedReader out = lines(node)) {
            // user-signin.js gives up after 20 s with TIMEOUT, so these reads cannot hang.
            assertEquals("SUBSCRIBED", milestone(out), "pusher-js's own #server-to-user- subscribe is confirmed on node A");
            String body = Wire.JSON.writeValueAsString(Map.of("name", "greeting", "channel", "#server-to-user-pj-cl-js",
                    "data", "{\"hello\":\"js\"}"));
            assertEquals(200, Http.send(nodeB.port, "POST", "/apps/1/events", "/apps/1/events", body, "ck", "cs",
                    System.currentTimeMillis() / 1000, Map.of(), body).status(), "sendToUser on node B");
            assertEquals("GOT {\"hello\":\"js\"} subscribed=true", milestone(out));
            quitSilently(node, out);
        } finally {
            node.destroyForcibly();
        }
    }
}
