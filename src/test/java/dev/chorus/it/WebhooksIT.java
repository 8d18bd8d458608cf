package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testing.Await;
import java.time.Duration;
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
        // One request in flight per URL: each URL's webhooks arrive in the order they were emitted, so a
        // barrier (see webhookBarrier) proves that nothing more is coming.
        chorus = ChorusProcess.start("server:\n  webhook_concurrency: 1\napps:\n  - id: \"1\"\n    key: wk\n    secret: ws\n    webhooks:\n"
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
        List<String> expected = List.of("channel_occupied " + channel, "channel_vacated " + channel, "client_event " + channel + " bob",
                "member_added " + channel + " ann", "member_added " + channel + " bob", "member_removed " + channel + " ann",
                "member_removed " + channel + " bob");
        for (String line : expected) {
            awaitLine("/all", line);
        }
        awaitLine("/occupancy", "channel_vacated " + channel);
        webhookBarrier();
        List<String> all = receiver.lines("/all", false).stream().filter(line -> line.split(" ")[1].equals(channel)).toList();
        // The order within one flush is the coalescing buffer's; each event must come exactly once.
        assertEquals(expected, all.stream().sorted().toList());
        assertEquals(List.of("channel_occupied " + channel, "channel_vacated " + channel), receiver.lines("/occupancy", false)
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
        awaitLine("/occupancy", "channel_vacated retried-channel");
        assertTrue(receiver.lines("/occupancy", false).contains("channel_occupied retried-channel"), receiver.lines("/occupancy", false).toString());
        assertTrue(receiver.lines("/occupancy", false).contains("channel_vacated retried-channel"));
        assertTrue(receiver.requests.get() - before >= 3, "the failed requests were retried");
        assertEquals(List.of(), receiver.problems);
    }

    /**
     * A barrier instead of a sleep before asserting that nothing more came: a fresh channel is occupied and its
     * webhook awaited on /all and /occupancy. Webhooks of one URL arrive in the order they were emitted (one
     * request at a time), so whatever was emitted for those URLs before the barrier has arrived once it has.
     */
    private static void webhookBarrier() throws Exception {
        String channel = "barrier-" + java.util.UUID.randomUUID();
        try (Wire.Client client = Wire.open(chorus.port, "wk")) {
            client.send(Wire.subscribe(channel));
            assertTrue(client.next().contains("subscription_succeeded"));
            awaitLine("/all", "channel_occupied " + channel);
            awaitLine("/occupancy", "channel_occupied " + channel);
        }
    }

    /** Waits (on the receiver's arrivals) until {@code line} has come in on {@code path}. */
    private static void awaitLine(String path, String line) throws Exception {
        assertTrue(Await.within(Duration.ofSeconds(20), () -> receiver.lines(path, false).contains(line)),
                "no '" + line + "' on " + path + ": " + receiver.lines(path, false));
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
