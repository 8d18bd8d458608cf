package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pusher webhooks to a real HTTP receiver: signed, batched, filtered, retried. */
class WebhooksIT {
    static WebhookReceiver receiver;
    static ChorusProcess chorus;

    @BeforeAll
    static void start() throws Exception {
        receiver = new WebhookReceiver("wk", "ws");
        chorus = ChorusProcess.start("apps:\n  - id: \"1\"\n    key: wk\n    secret: ws\n    webhooks:\n"
                + "      - url: " + receiver.url("/all") + "\n"
                + "      - url: " + receiver.url("/occupancy") + "\n        event_types: [channel_occupied, channel_vacated]\n"
                + "      - url: " + receiver.url("/rooms") + "\n        channel_prefix: presence-room-\n");
    }

    @AfterAll
    static void stop() throws Exception {
        chorus.close();
        receiver.close();
    }

    private static Wire.Client member(String channel, String user) throws Exception {
        Wire.Client client = Wire.joinPresence(chorus.port, "wk", "ws", channel, user, null);
        client.next();
        return client;
    }

    @Test
    void presenceLifecycleAndClientEventsArriveSignedWithEveryFilterApplied() throws Exception {
        String channel = "presence-room-1";
        Wire.Client ann = member(channel, "ann");
        Wire.Client bob = member(channel, "bob");
        ann.next();
        // Joins and leaves within one flush cancel out (as Pusher's do): let the joins go out first.
        awaitLine("/all", "member_added " + channel + " bob");
        awaitLine("/all", "channel_occupied " + channel);
        bob.send("{\"event\":\"client-wave\",\"channel\":\"" + channel + "\",\"data\":{\"hi\":1}}");
        ann.next();
        bob.close();
        ann.next();
        ann.close();
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline
                && !receiver.lines("/all", false).contains("channel_vacated " + channel)) {
            Thread.sleep(50);
        }
        List<String> all = receiver.lines("/all", false).stream().filter(line -> line.split(" ")[1].equals(channel)).toList();
        // Batches may overtake each other on the wire; each event must come exactly once.
        assertEquals(List.of("channel_occupied " + channel, "channel_vacated " + channel, "client_event " + channel + " bob",
                "member_added " + channel + " ann", "member_added " + channel + " bob", "member_removed " + channel + " ann",
                "member_removed " + channel + " bob"), all.stream().sorted().toList());
        assertEquals(List.of("channel_occupied " + channel, "channel_vacated " + channel), receiver.await("/occupancy", 2, 10)
                .stream().filter(line -> line.endsWith(channel)).toList());
        assertTrue(receiver.lines("/rooms", true).stream().allMatch(line -> line.contains("presence-room-")));
        assertTrue(receiver.lines("/all", true).contains("subscription_count " + channel), "subscription counts sent");
        JsonAssert.clientEventCarriesDataAndSocket(receiver, channel);
        assertEquals(List.of(), receiver.problems);
    }

    @Test
    void cacheMissIsReported() throws Exception {
        try (Wire.Client client = Wire.open(chorus.port, "wk")) {
            client.send(Wire.subscribe("cache-empty-hook"));
            client.next();
            client.next();
        }
        assertTrue(receiver.await("/all", 1, 10).contains("cache_miss cache-empty-hook"));
    }

    @Test
    void aReceiverThatFailsFirstGetsTheEventsOnRetry() throws Exception {
        int before = receiver.requests.get();
        receiver.failNext(2);
        try (Wire.Client client = Wire.open(chorus.port, "wk")) {
            client.send(Wire.subscribe("retried-channel"));
            client.next();
            // Occupied then vacated within one flush would cancel: stay until the retry delivered it.
            awaitLine("/occupancy", "channel_occupied retried-channel");
        }
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline && !receiver.lines("/occupancy", false).contains("channel_vacated retried-channel")) {
            Thread.sleep(100);
        }
        assertTrue(receiver.lines("/occupancy", false).contains("channel_occupied retried-channel"), receiver.lines("/occupancy", false).toString());
        assertTrue(receiver.lines("/occupancy", false).contains("channel_vacated retried-channel"));
        assertTrue(receiver.requests.get() - before >= 3, "the failed requests were retried");
        assertEquals(List.of(), receiver.problems);
    }

    /** Waits (on the receiver's arrivals) until {@code line} has come in on {@code path}. */
    private static void awaitLine(String path, String line) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!receiver.lines(path, false).contains(line)) {
            assertTrue(System.currentTimeMillis() < deadline, "no '" + line + "' on " + path + ": " + receiver.lines(path, false));
            Thread.sleep(20);
        }
    }

    /** Field-level checks of the client_event webhook. */
    static final class JsonAssert {
        static void clientEventCarriesDataAndSocket(WebhookReceiver receiver, String channel) {
            com.fasterxml.jackson.databind.JsonNode event = receiver.events.stream()
                    .filter(e -> e.path("name").asText().equals("client_event") && e.path("channel").asText().equals(channel))
                    .findFirst().orElseThrow();
            assertEquals("client-wave", event.get("event").asText());
            assertEquals("{\"hi\":1}", event.get("data").asText());
            assertTrue(event.get("socket_id").asText().matches("\\d+\\.\\d+"));
        }
    }
}
