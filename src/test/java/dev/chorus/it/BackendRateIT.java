package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API's per-app rate limits on the real launcher (so triggers take its fast path), and
 * {@code max_presence_members} counted over two nodes on Redis.
 */
class BackendRateIT {
    static final String CONFIG = "apps:\n"
            + "  - id: \"1\"\n    key: rk\n    secret: rs\n    max_backend_events_per_second: 5\n"
            + "    max_read_requests_per_second: 3\n"
            + "  - id: \"2\"\n    key: ok\n    secret: os\n";
    static final String EVENTS_429 = "{\"error\":\"Too many events: the limit is 5 per second (max_backend_events_per_second)\"}";
    static final String READS_429 = "{\"error\":\"Too many read requests: the limit is 3 per second (max_read_requests_per_second)\"}";
    static ChorusProcess chorus;

    @BeforeAll
    static void start() throws Exception {
        chorus = ChorusProcess.start(CONFIG);
    }

    @AfterAll
    static void stop() throws Exception {
        if (chorus != null) {
            chorus.close();
        }
    }

    static Http.Reply trigger(int port, String app, String key, String secret) throws Exception {
        String body = "{\"name\":\"e\",\"channels\":[\"rated\"],\"data\":\"x\"}";
        return Http.send(port, "POST", "/apps/" + app + "/events", "/apps/" + app + "/events", body, key, secret,
                System.currentTimeMillis() / 1000, Map.of(), body);
    }

    static Http.Reply read(int port, String app, String key, String secret) throws Exception {
        return Http.send(port, "GET", "/apps/" + app + "/channels", "/apps/" + app + "/channels", null, key, secret,
                System.currentTimeMillis() / 1000, Map.of(), null);
    }

    /** Starts a burst early in a second, so it is not split over two windows more than needed. */
    static void startOfSecond() throws InterruptedException {
        Thread.sleep(1_000 - System.currentTimeMillis() % 1_000 + 20);
    }

    @FunctionalInterface
    interface Call {
        Http.Reply call() throws Exception;
    }

    static List<Http.Reply> burst(int count, Call call) throws Exception {
        List<Http.Reply> replies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            replies.add(call.call());
        }
        return replies;
    }

    @Test
    void aBurstOfTriggersOverTheLimitIsAnswered429NamingItAndTheNextSecondIsAcceptedAgain() throws Exception {
        startOfSecond();
        List<Http.Reply> replies = burst(20, () -> trigger(chorus.port, "1", "rk", "rs"));
        long refused = replies.stream().filter(reply -> reply.status() == 429).count();
        long accepted = replies.stream().filter(reply -> reply.status() == 200).count();
        assertEquals(20, refused + accepted, () -> replies.toString());
        assertTrue(refused > 0, "some refused");
        assertTrue(accepted >= 5 && accepted <= 10, "5 per second, over at most two seconds: " + accepted);
        assertEquals(EVENTS_429, replies.stream().filter(reply -> reply.status() == 429).findFirst().orElseThrow().body());
        startOfSecond();
        assertEquals(200, trigger(chorus.port, "1", "rk", "rs").status());
    }

    @Test
    void aBurstOfReadsOverTheLimitIsAnswered429NamingItAndTheNextSecondIsAcceptedAgain() throws Exception {
        startOfSecond();
        List<Http.Reply> replies = burst(12, () -> read(chorus.port, "1", "rk", "rs"));
        long refused = replies.stream().filter(reply -> reply.status() == 429).count();
        assertTrue(refused > 0, "some refused");
        assertEquals(READS_429, replies.stream().filter(reply -> reply.status() == 429).findFirst().orElseThrow().body());
        startOfSecond();
        assertEquals(200, read(chorus.port, "1", "rk", "rs").status());
    }

    @Test
    void anAppWithoutTheLimitsIsNeverRefused() throws Exception {
        for (Http.Reply reply : burst(30, () -> trigger(chorus.port, "2", "ok", "os"))) {
            assertEquals(200, reply.status(), reply.body());
        }
        for (Http.Reply reply : burst(30, () -> read(chorus.port, "2", "ok", "os"))) {
            assertEquals(200, reply.status(), reply.body());
        }
    }

    @Test
    void thePresenceMemberLimitCountsTheUsersOfEveryNode() throws Exception {
        String config = "scaling:\n  node_timeout: 4\napps:\n  - id: \"1\"\n    key: ck\n    secret: cs\n"
                + "    max_presence_members: 2\n    max_backend_events_per_second: 4\n";
        String channel = "presence-cluster-full";
        try (RedisProcess redis = RedisProcess.start();
             ChorusProcess nodeA = ClusterIT.node(redis, "rate-it", config);
             ChorusProcess nodeB = ClusterIT.node(redis, "rate-it", config)) {
            try (Wire.Client ann = ClusterIT.present(nodeA, channel, "ann")) {
                assertTrue(ann.next().contains("subscription_succeeded"));
                try (Wire.Client bob = ClusterIT.present(nodeA, channel, "bob")) {
                    assertTrue(bob.next().contains("subscription_succeeded"));
                    try (Wire.Client cid = ClusterIT.present(nodeB, channel, "cid")) {
                        assertEquals("{\"event\":\"pusher:subscription_error\",\"channel\":\"" + channel + "\",\"data\":"
                                + "{\"type\":\"LimitReached\",\"error\":\"Presence channel member limit reached\",\"status\":403}}",
                                cid.next());
                    }
                    // A user already in the channel may open another connection on the other node.
                    try (Wire.Client ann2 = ClusterIT.present(nodeB, channel, "ann")) {
                        assertTrue(ann2.next().contains("subscription_succeeded"));
                    }
                    assertTrue(ann.next().contains("member_added"), "bob joined");
                }
                // bob left (once ann heard so, the cluster recorded it): there is room again, on either node.
                assertTrue(ann.next().contains("member_removed"), "bob left");
                try (Wire.Client dan = ClusterIT.present(nodeB, channel, "dan")) {
                    assertTrue(dan.next().contains("subscription_succeeded"));
                }
            }
            // The events limit is the cluster's: 4 per second over both nodes together.
            startOfSecond();
            int accepted = 0;
            for (int i = 0; i < 8; i++) {
                ChorusProcess node = i % 2 == 0 ? nodeA : nodeB;
                accepted += trigger(node.port, "1", "ck", "cs").status() == 200 ? 1 : 0;
            }
            assertTrue(accepted >= 4 && accepted < 8, "4 per second over both nodes: " + accepted);
        }
    }
}
