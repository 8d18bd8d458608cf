package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

/**
 * Redis faults with real processes (two launcher nodes, redis-server, and for the failover a replica and a
 * sentinel), all on loopback. Each test asserts both halves: the shared state comes back (presence
 * roster, {@code users}, {@code connections}, subscription counts, signed-in users, the cache channel's
 * last event) and
 * traffic flows without loss or duplicates, the first event after recovery included.
 */
class RedisFaultsIT {
    private static final String CONFIG = "scaling:\n  node_timeout: 4\napps:\n  - id: \"1\"\n    key: ck\n    secret: cs\n"
            + "    client_event_rate_limit: 0\n    activity_timeout: 600\n    ping_interval: 600\n";
    private static final String ROOM = "presence-room";

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void afterRedisIsKilledAndRestartedEmptyTheClusterIsWholeAgainAndTheFirstEventArrives() throws Exception {
        try (RedisProcess redis = RedisProcess.start(); Scene scene = new Scene(redis, "faults-kill")) {
            redis.kill();
            redis.restart();
            // At once, before any node had a chance to notice: the publisher's pooled link is stale.
            assertEquals(200, ClusterIT.sdk(scene.a).trigger("feed", "first", "1").getHttpStatus());
            assertEquals(frame("first", "1"), scene.nextOn(scene.feedB, 30_000));
            assertEquals(frame("first", "1"), scene.nextOn(scene.feedA, 5_000));
            scene.assertRebuilt(redis.port);
            scene.assertFlows();
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void afterRedisRestartsFromItsAppendOnlyFileTheClusterIsWholeAndEventsFlow() throws Exception {
        try (RedisProcess redis = RedisProcess.start(true); Scene scene = new Scene(redis, "faults-aof")) {
            redis.kill();
            redis.restart();
            assertEquals(200, ClusterIT.sdk(scene.a).trigger("feed", "first", "1").getHttpStatus());
            assertEquals(frame("first", "1"), scene.nextOn(scene.feedB, 30_000));
            assertEquals(frame("first", "1"), scene.nextOn(scene.feedA, 5_000));
            scene.assertRebuilt(redis.port);
            scene.assertFlows();
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aRedisPausedForTenSecondsIsNoticedAndEventsPublishedMeanwhileArriveAfterIt() throws Exception {
        try (RedisProcess redis = RedisProcess.start(); Scene scene = new Scene(redis, "faults-pause")) {
            redis.pause();
            long paused = System.currentTimeMillis();
            scene.a.awaitOutput("unreachable", 10);
            scene.b.awaitOutput("unreachable", 10);
            assertTrue(System.currentTimeMillis() - paused < 8_000, "half-open link noticed within seconds");
            assertEquals(200, ClusterIT.sdk(scene.a).trigger("feed", "during", "1").getHttpStatus());
            assertEquals(frame("during", "1"), scene.nextOn(scene.feedA, 5_000));
            ChorusProcess.sleep(Math.max(0, 10_000 - (System.currentTimeMillis() - paused)));
            redis.resume();
            assertEquals(frame("during", "1"), scene.nextOn(scene.feedB, 30_000));
            scene.assertRebuilt(redis.port);
            scene.assertFlows();
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aSentinelFailoverMidTrafficLosesNoEventAndRebuildsTheClusterOnTheNewMaster() throws Exception {
        try (RedisProcess master = RedisProcess.start(); RedisProcess replica = RedisProcess.replicaOf(master);
             RedisProcess sentinel = RedisProcess.sentinel("chorusmaster", master)) {
            awaitReplicaKnown(sentinel, "chorusmaster");
            Map<String, String> env = Map.of("REDIS_SENTINELS", "127.0.0.1:" + sentinel.port, "REDIS_SENTINEL_MASTER", "chorusmaster");
            try (Scene scene = new Scene(env, "faults-sentinel", master.port)) {
                Steady steady = new Steady(scene.a);
                steady.publishFor(1_000);
                master.kill();
                long deadline = System.currentTimeMillis() + 60_000;
                while (!String.valueOf(replica.port).equals(masterPort(sentinel, "chorusmaster"))) {
                    assertTrue(System.currentTimeMillis() < deadline, "sentinel promoted the replica:\n" + sentinel.log());
                    steady.publishFor(200);
                }
                steady.publishFor(2_000);
                steady.assertAllArrived(scene.feedB);
                steady.assertAllArrived(scene.feedA);
                scene.assertRebuilt(replica.port);
                scene.assertFlows();
            }
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void eventsPublishedSteadilyThroughAShortOutageAllArriveOnceAndInOrder() throws Exception {
        try (RedisProcess redis = RedisProcess.start(); Scene scene = new Scene(redis, "faults-steady")) {
            Steady steady = new Steady(scene.a);
            steady.publishFor(1_000);
            redis.kill();
            steady.publishFor(3_000);
            redis.restart();
            steady.publishFor(2_000);
            assertTrue(steady.sent > 30, "published " + steady.sent);
            steady.assertAllArrived(scene.feedB);
            steady.assertAllArrived(scene.feedA);
            scene.assertRebuilt(redis.port);
            scene.assertFlows();
        }
    }

    static String frame(String event, String data) {
        return "{\"event\":\"" + event + "\",\"data\":\"\\\"" + data + "\\\"\",\"channel\":\"feed\"}";
    }

    private static void awaitReplicaKnown(RedisProcess sentinel, String name) {
        long deadline = System.currentTimeMillis() + 40_000;
        while (true) {
            try (Jedis jedis = new Jedis("127.0.0.1", sentinel.port)) {
                List<Map<String, String>> replicas = jedis.sentinelReplicas(name);
                if (!replicas.isEmpty() && "ok".equals(replicas.get(0).get("master-link-status"))
                        && !replicas.get(0).get("flags").contains("down")) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // still starting
            }
            assertTrue(System.currentTimeMillis() < deadline, "sentinel found the replica");
            ChorusProcess.sleep(200);
        }
    }

    private static String masterPort(RedisProcess sentinel, String name) {
        try (Jedis jedis = new Jedis("127.0.0.1", sentinel.port)) {
            List<String> address = jedis.sentinelGetMasterAddrByName(name);
            return address == null ? null : address.get(1);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Triggers numbered events on one node, one after the other, as fast as a small steady rate allows. */
    private static final class Steady {
        private final ChorusProcess node;
        int sent;

        Steady(ChorusProcess node) {
            this.node = node;
        }

        void publishFor(long millis) {
            long end = System.currentTimeMillis() + millis;
            while (System.currentTimeMillis() < end) {
                assertEquals(200, ClusterIT.sdk(node).trigger("feed", "n", String.valueOf(sent)).getHttpStatus());
                sent++;
                ChorusProcess.sleep(40);
            }
        }

        /** Every event, in order, each once: a barrier event after them is the very next frame. */
        void assertAllArrived(Wire.Client client) throws IOException {
            for (int i = 0; i < sent; i++) {
                assertEquals(frame("n", String.valueOf(i)), Scene.next(client, i == 0 ? 30_000 : 15_000), "event " + i + " of " + sent);
            }
        }
    }

    /**
     * Two nodes holding some of everything the cluster shares: a subscriber of {@code feed} on each, a
     * presence member on each ({@code bob} on A, {@code alice} on B), a signed-in user ({@code carol} on B,
     * what watchlists ask about), and a cache channel's last event.
     */
    private static final class Scene implements AutoCloseable {
        final ChorusProcess a;
        final ChorusProcess b;
        final Wire.Client feedA;
        final Wire.Client feedB;
        final Wire.Client bob;
        final Wire.Client alice;
        final Wire.Client carol;
        final String prefix;

        Scene(RedisProcess redis, String prefix) throws Exception {
            this(Map.of("REDIS_URL", redis.url()), prefix, redis.port);
        }

        Scene(Map<String, String> redisEnv, String prefix, int redisPort) throws Exception {
            this.prefix = prefix;
            a = node(redisEnv, prefix);
            b = node(redisEnv, prefix);
            ClusterIT.awaitRelaying(a, b);
            feedA = ClusterIT.subscribed(a, "feed");
            feedB = ClusterIT.subscribed(b, "feed");
            bob = ClusterIT.present(a, ROOM, "bob");
            assertTrue(bob.next().contains("subscription_succeeded"));
            alice = ClusterIT.present(b, ROOM, "alice");
            assertTrue(alice.next().contains("subscription_succeeded"));
            assertEquals(ClusterIT.added(ROOM, "alice"), bob.next());
            carol = Wire.open(b.port, "ck");
            String userData = "{\"id\":\"carol\"}";
            carol.send(Wire.JSON.writeValueAsString(Map.of("event", "pusher:signin", "data", Map.of(
                    "auth", Wire.userAuth("ck", "cs", carol.socketId(), userData), "user_data", userData))));
            assertTrue(carol.next().contains("signin_success"));
            assertEquals(200, ClusterIT.sdk(a).trigger("cache-news", "headline", "h1").getHttpStatus());
            assertRebuilt(redisPort);
        }

        private static ChorusProcess node(Map<String, String> redisEnv, String prefix) throws IOException {
            Path dir = Files.createTempDirectory("chorus-node-");
            Files.writeString(dir.resolve("chorus.yaml"), CONFIG);
            Map<String, String> env = new java.util.HashMap<>(redisEnv);
            env.put("REVERB_SCALING_ENABLED", "true");
            env.put("REVERB_SCALING_CHANNEL", prefix);
            ChorusProcess node = ChorusProcess.launch(dir, env, List.of("start", "--host", "127.0.0.1",
                    "--port", String.valueOf(ChorusProcess.freePort())));
            node.awaitOutput("Chorus listening on", 60);
            return node;
        }

        /** The next frame that is not a protocol ping. */
        static String next(Wire.Client client, int timeoutMillis) throws IOException {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            while (true) {
                String text = client.ws().nextText((int) Math.max(1, deadline - System.currentTimeMillis()));
                if (text != null && text.contains("\"pusher:ping\"")) {
                    client.send("{\"event\":\"pusher:pong\",\"data\":{}}");
                    continue;
                }
                return text;
            }
        }

        String nextOn(Wire.Client client, int timeoutMillis) throws IOException {
            try {
                return next(client, timeoutMillis);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("nothing within " + timeoutMillis + " ms\nnode A:\n" + a.output() + "\nnode B:\n" + b.output(), e);
            }
        }

        /** Both nodes see the whole cluster again, within seconds; the cache channel's event is in Redis. */
        void assertRebuilt(int redisPort) throws Exception {
            long deadline = System.currentTimeMillis() + 30_000;
            List<String> problems = List.of("not checked");
            while (System.currentTimeMillis() < deadline) {
                problems = problems(redisPort);
                if (problems.isEmpty()) {
                    return;
                }
                ChorusProcess.sleep(250);
            }
            throw new AssertionError("cluster state not rebuilt: " + problems + "\nnode A:\n" + a.output() + "\nnode B:\n" + b.output());
        }

        private List<String> problems(int redisPort) {
            List<String> problems = new ArrayList<>();
            for (ChorusProcess node : List.of(a, b)) {
                String name = node == a ? "A" : "B";
                try {
                    JsonNode users = Wire.JSON.readTree(ClusterIT.sdk(node).get("/channels/" + ROOM + "/users").getMessage());
                    TreeSet<String> ids = new TreeSet<>();
                    users.path("users").forEach(user -> ids.add(user.path("id").asText()));
                    if (!ids.equals(new TreeSet<>(List.of("alice", "bob")))) {
                        problems.add(name + " users " + ids);
                    }
                    long connections = Wire.JSON.readTree(ClusterIT.sdk(node).get("/connections").getMessage()).path("connections").asLong();
                    if (connections != 5) {
                        problems.add(name + " connections " + connections);
                    }
                    String channels = ClusterIT.sdk(node).get("/channels", Map.of("filter_by_prefix", "feed",
                            "info", "subscription_count")).getMessage();
                    if (!"{\"channels\":{\"feed\":{\"subscription_count\":2}}}".equals(channels)) {
                        problems.add(name + " channels " + channels);
                    }
                    String room = ClusterIT.sdk(node).get("/channels/" + ROOM, Map.of("info", "user_count,subscription_count")).getMessage();
                    if (!"{\"occupied\":true,\"user_count\":2,\"subscription_count\":2}".equals(room)) {
                        problems.add(name + " room " + room);
                    }
                } catch (IOException | RuntimeException e) {
                    problems.add(name + " " + e);
                }
            }
            try (Jedis jedis = new Jedis("127.0.0.1", redisPort)) {
                if (jedis.get(prefix + ":cache:1:cache-news") == null) {
                    problems.add("cache-news not cached in Redis");
                }
                // What watchlists ask: is the user signed in anywhere.
                if (jedis.hget(prefix + ":pm:1:#signed-in", "carol") == null) {
                    problems.add("carol not signed in in Redis");
                }
            } catch (RuntimeException e) {
                problems.add("Redis " + e);
            }
            return problems;
        }

        /** An event each way reaches both nodes' subscribers once; a barrier event proves nothing else came. */
        void assertFlows() throws Exception {
            assertEquals(200, ClusterIT.sdk(a).trigger("feed", "from-a", "a").getHttpStatus());
            assertEquals(frame("from-a", "a"), nextOn(feedB, 15_000));
            assertEquals(frame("from-a", "a"), nextOn(feedA, 5_000));
            assertEquals(200, ClusterIT.sdk(b).trigger("feed", "from-b", "b").getHttpStatus());
            assertEquals(frame("from-b", "b"), nextOn(feedA, 15_000));
            assertEquals(frame("from-b", "b"), nextOn(feedB, 5_000));
            assertEquals(200, ClusterIT.sdk(a).trigger("feed", "barrier", "z").getHttpStatus());
            assertEquals(frame("barrier", "z"), nextOn(feedB, 15_000), "no duplicate before the barrier");
            assertEquals(frame("barrier", "z"), nextOn(feedA, 5_000), "no duplicate before the barrier");
        }

        @Override
        public void close() throws Exception {
            for (Wire.Client client : List.of(feedA, feedB, bob, alice, carol)) {
                client.close();
            }
            a.close();
            b.close();
        }
    }
}
