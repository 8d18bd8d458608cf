package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pusher.rest.Pusher;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two launchers and a real redis-server: events, exclusion, client events and terminate across nodes. */
class ClusterIT {
    static final String CONFIG = "apps:\n  - id: \"1\"\n    key: ck\n    secret: cs\n    client_event_rate_limit: 0\n";
    static RedisProcess redis;
    static ChorusProcess nodeA;
    static ChorusProcess nodeB;

    @BeforeAll
    static void cluster() throws Exception {
        redis = RedisProcess.start();
        nodeA = node(redis, "cluster-it");
        nodeB = node(redis, "cluster-it");
        awaitRelaying(nodeA, nodeB);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {nodeA, nodeB, redis}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    static ChorusProcess node(RedisProcess redis, String prefix) throws IOException {
        Path dir = Files.createTempDirectory("chorus-node-");
        Files.writeString(dir.resolve("chorus.yaml"), CONFIG);
        int port = ChorusProcess.freePort();
        ChorusProcess node = ChorusProcess.launch(dir, Map.of("REVERB_SCALING_ENABLED", "true", "REDIS_URL", redis.url(),
                "REVERB_SCALING_CHANNEL", prefix), List.of("start", "--host", "127.0.0.1", "--port", String.valueOf(port)));
        node.awaitOutput("Chorus listening on", 60);
        return node;
    }

    static Pusher sdk(ChorusProcess node) {
        Pusher sdk = new Pusher("1", "ck", "cs");
        sdk.setHost("127.0.0.1:" + node.port);
        sdk.setEncrypted(false);
        return sdk;
    }

    static Wire.Client subscribed(ChorusProcess node, String channel) throws IOException {
        Wire.Client client = Wire.open(node.port, "ck");
        if (channel.startsWith("private-")) {
            client.send(Wire.subscribe(channel, "ck:" + new dev.chorus.protocol.Signer("cs").sign(client.socketId() + ":" + channel)));
        } else {
            client.send(Wire.subscribe(channel));
        }
        assertTrue(client.next().contains("subscription_succeeded"));
        return client;
    }

    /** Both subscriber links come up asynchronously: wait until a probe crosses each way. */
    static void awaitRelaying(ChorusProcess a, ChorusProcess b) throws Exception {
        for (ChorusProcess[] pair : new ChorusProcess[][] {{a, b}, {b, a}}) {
            try (Wire.Client listener = subscribed(pair[1], "probe")) {
                long deadline = System.currentTimeMillis() + 30_000;
                while (true) {
                    sdk(pair[0]).trigger("probe", "probe", "x");
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
    void eventsTriggeredOnOneNodeReachSubscribersOnBothExactlyOnceAndInOrder() throws Exception {
        try (Wire.Client onA = subscribed(nodeA, "orders"); Wire.Client onB = subscribed(nodeB, "orders")) {
            Pusher sdk = sdk(nodeA);
            for (int i = 0; i < 100; i++) {
                assertEquals(200, sdk.trigger("orders", "n", String.valueOf(i)).getHttpStatus());
            }
            for (Wire.Client client : List.of(onA, onB)) {
                for (int i = 0; i < 100; i++) {
                    assertEquals("{\"event\":\"n\",\"data\":\"\\\"" + i + "\\\"\",\"channel\":\"orders\"}", client.ws().nextText(5_000));
                }
                assertThrows(SocketTimeoutException.class, () -> client.ws().readFrame(500), "no duplicates");
            }
        }
    }

    @Test
    void socketIdExcludesThePublisherOnWhicheverNodeItLives() throws Exception {
        try (Wire.Client publisherOnA = subscribed(nodeA, "chat"); Wire.Client otherOnA = subscribed(nodeA, "chat");
             Wire.Client onB = subscribed(nodeB, "chat")) {
            assertEquals(200, sdk(nodeB).trigger("chat", "said", "hi", publisherOnA.socketId()).getHttpStatus());
            assertTrue(otherOnA.next().contains("\"said\""));
            assertTrue(onB.next().contains("\"said\""));
            assertThrows(SocketTimeoutException.class, () -> publisherOnA.ws().readFrame(500));
        }
    }

    @Test
    void clientEventsCrossNodesButNeverEchoToTheSender() throws Exception {
        try (Wire.Client sender = subscribed(nodeA, "private-room"); Wire.Client onB = subscribed(nodeB, "private-room")) {
            sender.send("{\"event\":\"client-typing\",\"channel\":\"private-room\",\"data\":{\"who\":1}}");
            assertEquals("{\"event\":\"client-typing\",\"channel\":\"private-room\",\"data\":{\"who\":1}}", onB.next());
            assertThrows(SocketTimeoutException.class, () -> sender.ws().readFrame(500));
        }
    }

    @Test
    void terminateClosesTheUsersConnectionsOnEveryNode() throws Exception {
        List<Wire.Client> tabs = new ArrayList<>();
        try {
            for (ChorusProcess node : List.of(nodeA, nodeB)) {
                Wire.Client tab = Wire.open(node.port, "ck");
                String userData = "{\"id\":\"u9\"}";
                tab.send(Wire.JSON.writeValueAsString(Map.of("event", "pusher:signin", "data", Map.of(
                        "auth", Wire.userAuth("ck", "cs", tab.socketId(), userData), "user_data", userData))));
                assertTrue(tab.next().contains("signin_success"));
                tabs.add(tab);
            }
            assertEquals(200, sdk(nodeA).post("/users/u9/terminate_connections", "{}").getHttpStatus());
            for (Wire.Client tab : tabs) {
                assertEquals(4009, tab.ws().awaitClose(5_000).closeCode());
            }
        } finally {
            tabs.forEach(Wire.Client::close);
        }
    }

    @Test
    void serverToUserEventsReachTheUserOnAnotherNode() throws Exception {
        try (Wire.Client tab = Wire.open(nodeB.port, "ck")) {
            String userData = "{\"id\":\"far\"}";
            tab.send(Wire.JSON.writeValueAsString(Map.of("event", "pusher:signin", "data", Map.of(
                    "auth", Wire.userAuth("ck", "cs", tab.socketId(), userData), "user_data", userData))));
            assertTrue(tab.next().contains("signin_success"));
            assertEquals(200, sdk(nodeA).post("/events", "{\"name\":\"dm\",\"channel\":\"#server-to-user-far\",\"data\":\"x\"}")
                    .getHttpStatus());
            assertEquals("{\"event\":\"dm\",\"data\":\"x\",\"channel\":\"#server-to-user-far\"}", tab.next());
        }
    }

    @Test
    void cacheChannelsReplayAnEventTriggeredOnAnotherNode() throws Exception {
        try (Wire.Client warm = subscribed(nodeB, "cache-board")) {
            warm.next();
            assertEquals(200, sdk(nodeA).trigger("cache-board", "score", "3").getHttpStatus());
            warm.next();
        }
        try (Wire.Client late = Wire.open(nodeB.port, "ck")) {
            late.send(Wire.subscribe("cache-board"));
            late.next();
            assertEquals("{\"event\":\"score\",\"data\":\"\\\"3\\\"\",\"channel\":\"cache-board\"}", late.next());
        }
    }
}
