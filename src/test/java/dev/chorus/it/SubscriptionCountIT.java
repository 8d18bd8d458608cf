package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pusher.rest.Pusher;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pusher's subscription counting on the real launcher, frame by frame: switched on per app
 * ({@code subscription_count: true}), coalesced (at most one count per channel every 250 ms), the
 * last count always the final one, never on presence channels, cluster-wide over Redis.
 */
class SubscriptionCountIT {
    static final String CONFIG = "apps:\n"
            + "  - id: \"on\"\n    key: onkey\n    secret: onsecret\n    subscription_count: true\n"
            + "  - id: \"off\"\n    key: offkey\n    secret: offsecret\n";
    static ChorusProcess chorus;

    @BeforeAll
    static void start() throws IOException {
        chorus = ChorusProcess.start(CONFIG);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (chorus != null) {
            chorus.close();
        }
    }

    static String count(String channel, long n) {
        return "{\"event\":\"pusher_internal:subscription_count\",\"channel\":\"" + channel
                + "\",\"data\":\"{\\\"subscription_count\\\":" + n + "}\"}";
    }

    static Wire.Client subscribed(int port, String key, String channel) throws IOException {
        Wire.Client client = Wire.open(port, key);
        client.send(Wire.subscribe(channel));
        assertEquals(Wire.succeeded(channel), client.next());
        return client;
    }

    private static void assertSilent(Wire.Client client, int millis) {
        assertThrows(SocketTimeoutException.class, () -> client.ws().readFrame(millis), "expected nothing more");
    }

    @Test
    void everySubscriberHearsTheNewCountWhenSomeoneJoinsOrLeaves() throws IOException {
        String channel = "room-exact";
        try (Wire.Client ann = subscribed(chorus.port, "onkey", channel)) {
            assertEquals(count(channel, 1), ann.next());
            try (Wire.Client bob = subscribed(chorus.port, "onkey", channel)) {
                assertEquals(count(channel, 2), ann.next());
                assertEquals(count(channel, 2), bob.next());
                bob.send("{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"" + channel + "\"}}");
                assertEquals(count(channel, 1), ann.next());
                assertSilent(bob, 600);
            }
            assertSilent(ann, 600);
        }
    }

    @Test
    void aClosedSocketCountsAsLeaving() throws IOException {
        String channel = "private-room-close";
        Pusher sdk = Wire.sdk("on", "onkey", "onsecret");
        try (Wire.Client ann = Wire.open(chorus.port, "onkey")) {
            ann.send(Wire.subscribe(channel, Wire.auth(sdk, ann.socketId(), channel)));
            assertEquals(Wire.succeeded(channel), ann.next());
            assertEquals(count(channel, 1), ann.next());
            Wire.Client bob = Wire.open(chorus.port, "onkey");
            bob.send(Wire.subscribe(channel, Wire.auth(sdk, bob.socketId(), channel)));
            assertEquals(Wire.succeeded(channel), bob.next());
            assertEquals(count(channel, 2), ann.next());
            bob.close();
            assertEquals(count(channel, 1), ann.next());
        }
    }

    @Test
    void aJoinStormOf200SendsEachSubscriberAFewCountsTheLastOneSaying200() throws IOException {
        String channel = "room-storm";
        List<Wire.Client> crowd = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (int i = 0; i < 200; i++) {
                Wire.Client client = Wire.open(chorus.port, "onkey");
                client.send(Wire.subscribe(channel));
                crowd.add(client);
            }
            long joinMillis = (System.nanoTime() - started) / 1_000_000;
            // One count per 250 ms flush while they join, plus the flush after the last join.
            int bound = (int) (joinMillis / 250) + 3;
            for (Wire.Client client : crowd) {
                assertEquals(Wire.succeeded(channel), client.next());
                List<String> counts = new ArrayList<>();
                String frame;
                do {
                    frame = client.next();
                    assertTrue(frame.startsWith("{\"event\":\"pusher_internal:subscription_count\""), frame);
                    counts.add(frame);
                } while (!frame.equals(count(channel, 200)));
                assertTrue(counts.size() <= bound, counts.size() + " counts in " + joinMillis + " ms of joining");
            }
            for (Wire.Client client : crowd.subList(0, 5)) {
                assertSilent(client, 400);
            }
        } finally {
            crowd.forEach(Wire.Client::close);
        }
    }

    @Test
    void presenceChannelsGetNoCountsAsOnPusher() throws IOException {
        String channel = "presence-room-count";
        try (Wire.Client ann = Wire.joinPresence(chorus.port, "onkey", "onsecret", channel, "ann", null)) {
            assertTrue(ann.next().startsWith("{\"event\":\"pusher_internal:subscription_succeeded\""));
            try (Wire.Client bob = Wire.joinPresence(chorus.port, "onkey", "onsecret", channel, "bob", null)) {
                assertTrue(bob.next().startsWith("{\"event\":\"pusher_internal:subscription_succeeded\""));
                assertTrue(ann.next().startsWith("{\"event\":\"pusher_internal:member_added\""));
                assertSilent(ann, 700);
                assertSilent(bob, 100);
            }
        }
    }

    @Test
    void pusherJsShowsTheCountAsChannelSubscriptionCountAndThePusherSubscriptionCountEvent() throws Exception {
        // The demo page serves pusher-js (from npm at build time); two clients of the same page join one channel.
        try (ChorusProcess demo = ChorusProcess.start(CONFIG, "--demo");
             HeadlessChromium chromium = HeadlessChromium.start()) {
            chromium.navigate("http://127.0.0.1:" + demo.port + "/demo");
            assertTrue(chromium.waitFor("typeof window.Pusher === 'function'", 30), "pusher-js loaded");
            chromium.evaluate("(() => { window.seen = []; window.clients = [1, 2].map(() => new Pusher('onkey', {"
                    + "wsHost: '127.0.0.1', wsPort: " + demo.port + ", forceTLS: false, enabledTransports: ['ws'],"
                    + " cluster: 'x'})); window.channels = window.clients.map(c => c.subscribe('room-js'));"
                    + " window.channels[0].bind('pusher:subscription_count', e => window.seen.push(e.subscription_count));"
                    + " return true; })()");
            assertTrue(chromium.waitFor("window.channels.every(c => c.subscriptionCount === 2)", 20),
                    chromium.evaluate("JSON.stringify(window.channels.map(c => c.subscriptionCount))"));
            assertTrue(chromium.waitFor("window.seen[window.seen.length - 1] === 2", 5),
                    chromium.evaluate("JSON.stringify(window.seen)"));
            chromium.evaluate("(() => { window.clients[1].disconnect(); return true; })()");
            assertTrue(chromium.waitFor("window.channels[0].subscriptionCount === 1", 10),
                    chromium.evaluate("JSON.stringify(window.seen)"));
        }
    }

    @Test
    void countsAreOffByDefault() throws IOException {
        String channel = "room-off";
        try (Wire.Client ann = subscribed(chorus.port, "offkey", channel);
             Wire.Client bob = subscribed(chorus.port, "offkey", channel)) {
            assertSilent(ann, 700);
            assertSilent(bob, 100);
        }
    }

    /** As {@link ClusterIT#awaitRelaying}, probing on the app without counts so no count frame is taken for the probe. */
    static void awaitRelaying(ChorusProcess a, ChorusProcess b) throws Exception {
        for (ChorusProcess[] pair : new ChorusProcess[][] {{a, b}, {b, a}}) {
            Pusher sdk = new Pusher("off", "offkey", "offsecret");
            sdk.setHost("127.0.0.1:" + pair[0].port);
            sdk.setEncrypted(false);
            try (Wire.Client listener = subscribed(pair[1].port, "offkey", "probe")) {
                long deadline = System.currentTimeMillis() + 30_000;
                while (true) {
                    sdk.trigger("probe", "probe", "x");
                    try {
                        if (listener.ws().nextText(300) != null) {
                            break;
                        }
                    } catch (SocketTimeoutException notYet) {
                        if (System.currentTimeMillis() > deadline) {
                            throw new AssertionError("relay did not come up:\n" + pair[0].output() + pair[1].output());
                        }
                    }
                }
            }
        }
    }

    @Test
    void countsSumOverTwoNodesOnRedis() throws Exception {
        String config = "scaling:\n  node_timeout: 4\n" + CONFIG;
        try (RedisProcess redis = RedisProcess.start();
             ChorusProcess nodeA = ClusterIT.node(redis, "count-it", config);
             ChorusProcess nodeB = ClusterIT.node(redis, "count-it", config)) {
            awaitRelaying(nodeA, nodeB);
            String channel = "room-cluster";
            try (Wire.Client ann = subscribed(nodeA.port, "onkey", channel)) {
                assertEquals(count(channel, 1), ann.next());
                try (Wire.Client bob = subscribed(nodeB.port, "onkey", channel)) {
                    assertEquals(count(channel, 2), bob.next());
                    assertEquals(count(channel, 2), ann.next(), "node A hears of node B's subscriber");
                    try (Wire.Client cid = subscribed(nodeA.port, "onkey", channel)) {
                        assertEquals(count(channel, 3), cid.next());
                        assertEquals(count(channel, 3), ann.next());
                        assertEquals(count(channel, 3), bob.next(), "node B hears of node A's subscriber");
                    }
                    assertEquals(count(channel, 2), ann.next());
                    assertEquals(count(channel, 2), bob.next());
                    assertSilent(ann, 600);
                    assertSilent(bob, 100);

                    // A node killed without goodbye: whoever reaps it announces the lower count.
                    ChorusProcess doomed = ClusterIT.node(redis, "count-it", config);
                    try {
                        awaitRelaying(nodeA, doomed);
                        Wire.Client victim = subscribed(doomed.port, "onkey", channel);
                        assertEquals(count(channel, 3), victim.next());
                        assertEquals(count(channel, 3), ann.next());
                        assertEquals(count(channel, 3), bob.next());
                        doomed.process().destroyForcibly();
                        doomed.process().waitFor();
                        assertEquals(count(channel, 2), ann.ws().nextText(30_000));
                        assertEquals(count(channel, 2), bob.ws().nextText(5_000));
                    } finally {
                        doomed.close();
                    }

                    // A node stopped cleanly: its drained subscribers leave the count before it goes.
                    try (ChorusProcess leaving = ClusterIT.node(redis, "count-it", config)) {
                        awaitRelaying(nodeA, leaving);
                        Wire.Client dee = subscribed(leaving.port, "onkey", channel);
                        assertEquals(count(channel, 3), dee.next());
                        assertEquals(count(channel, 3), ann.next());
                        assertEquals(count(channel, 3), bob.next());
                        leaving.process().destroy();
                        leaving.process().waitFor();
                        assertEquals(count(channel, 2), ann.ws().nextText(5_000));
                        assertEquals(count(channel, 2), bob.ws().nextText(5_000));
                    }
                }
            }
        }
    }
}
