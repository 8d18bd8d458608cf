package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Redis killed mid-traffic and started again: every node keeps serving its own sockets, logs the
 * outage once, and relays again after reconnecting, without a restart. Events published during the
 * outage reach the publishing node's sockets at once and the other nodes' once Redis is back.
 */
class RedisOutageIT {
    @Test
    void nodesServeLocallyDuringARedisOutageAndResumeRelayingAfterIt() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
             ChorusProcess a = ClusterIT.node(redis, "outage-it");
             ChorusProcess b = ClusterIT.node(redis, "outage-it")) {
            ClusterIT.awaitRelaying(a, b);
            try (Wire.Client onA = ClusterIT.subscribed(a, "feed"); Wire.Client onB = ClusterIT.subscribed(b, "feed")) {
                redis.kill();
                // The publishing node must know Redis is gone, or the event goes to a dead link instead of the outage buffer.
                a.awaitOutput("unreachable", 20);
                assertEquals(200, ClusterIT.sdk(a).trigger("feed", "during", "1").getHttpStatus());
                assertTrue(onA.next().contains("\"during\""), "local delivery goes on");
                assertThrows(SocketTimeoutException.class, () -> onB.ws().readFrame(1_000), "not relayed while Redis is down");

                redis.restart();
                String held = onB.ws().nextText(30_000);
                assertTrue(held.contains("\"during\""), "held during the outage, relayed after it: " + held + "\n" + a.output());
                assertEquals(200, ClusterIT.sdk(a).trigger("feed", "after", "2").getHttpStatus());
                assertTrue(onA.next().contains("\"after\""));
                String got = onB.ws().nextText(10_000);
                assertTrue(got.contains("\"after\""), "relaying resumed, nothing twice: " + got + "\n" + a.output());
                assertTrue(a.process().isAlive() && b.process().isAlive(), "no node exited");
                // Publishing resumed first; the subscriber link may still be in its backoff.
                a.awaitOutput("Redis link restored", 20);
                assertEquals(1, count(a.output(), "unreachable"), "outage logged once:\n" + a.output());
            }
        }
    }

    @Test
    void aMemberWhoLeftDuringTheOutageIsAnnouncedGoneToOtherNodesOnceRedisIsBack() throws Exception {
        String channel = "presence-outage";
        try (RedisProcess redis = RedisProcess.start(true);
             ChorusProcess a = ClusterIT.node(redis, "outage-presence");
             ChorusProcess b = ClusterIT.node(redis, "outage-presence")) {
            ClusterIT.awaitRelaying(a, b);
            try (Wire.Client watcher = ClusterIT.present(a, channel, "watcher")) {
                watcher.next();
                Wire.Client ghost = ClusterIT.present(b, channel, "ghost");
                ghost.next();
                assertEquals(ClusterIT.added(channel, "ghost"), watcher.next());

                redis.kill();
                // The ghost's node must know Redis is gone before the ghost leaves.
                b.awaitOutput("unreachable", 20);
                ghost.close();
                assertThrows(SocketTimeoutException.class, () -> watcher.ws().readFrame(1_000), "not relayed during the outage");
                redis.restart();
                assertEquals(ClusterIT.removed(channel, "ghost"), watcher.ws().nextText(30_000));
            }
        }
    }

    @Test
    void unreachableRedisAtStartupIsRetriedNotFatal() throws Exception {
        int port = ChorusProcess.freePort();
        Path dir = Files.createTempDirectory("chorus-node-");
        Files.writeString(dir.resolve("chorus.yaml"), ClusterIT.CONFIG);
        try (ChorusProcess lonely = ChorusProcess.launch(dir, Map.of("REVERB_SCALING_ENABLED", "true",
                "REDIS_URL", "redis://127.0.0.1:" + ChorusProcess.freePort()), List.of("start", "--host", "127.0.0.1",
                "--port", String.valueOf(port)))) {
            lonely.awaitOutput("Chorus listening on", 60);
            lonely.awaitOutput("unreachable", 20);
            try (Wire.Client client = ClusterIT.subscribed(lonely, "solo")) {
                assertEquals(200, ClusterIT.sdk(lonely).trigger("solo", "e", "1").getHttpStatus());
                assertTrue(client.next().contains("\"e\""));
            }
        }
    }

    @Test
    void badRedisSettingsStopStartupWithOneLine() throws Exception {
        Path dir = Files.createTempDirectory("chorus-node-");
        Files.writeString(dir.resolve("chorus.yaml"), ClusterIT.CONFIG);
        ChorusProcess bad = ChorusProcess.launch(dir, Map.of("REVERB_SCALING_ENABLED", "true", "REDIS_URL", "http://redis"),
                List.of("start", "--host", "127.0.0.1"));
        assertEquals(2, bad.awaitExit(60));
        assertEquals("Invalid setting scaling.url (REDIS_URL)='http://redis' (environment variable REDIS_URL): redis://[user:password@]host[:port][/db] or "
                + "rediss://...", bad.output().strip());
        ChorusProcess badHost = ChorusProcess.launch(dir, Map.of("REVERB_SCALING_ENABLED", "true",
                "REDIS_HOST", "tls://redis.example.com"), List.of("start", "--host", "127.0.0.1"));
        assertEquals(2, badHost.awaitExit(60));
        assertTrue(badHost.output().contains("REDIS_HOST"), badHost.output());
    }

    private static int count(String text, String needle) {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            count++;
        }
        return count;
    }
}
