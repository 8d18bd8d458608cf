package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The watchlist (issue 14 §3) frame by frame: on one node (the shared launcher), and on two launchers
 * sharing a real redis-server, where a user signing in on node A is announced to a watcher on node B.
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
        return Wire.JSON.writeValueAsString(Map.of("event", "pusher:signin_success",
                "data", Wire.JSON.writeValueAsString(Map.of("user_data", userData))));
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
}
