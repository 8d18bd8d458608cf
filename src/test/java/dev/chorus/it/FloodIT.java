package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.pusher.rest.Pusher;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Floods from one socket against the real launcher (issue 12, points 3 and 4 and the inbound rate
 * limit). Each test asserts both halves: the attacker is refused or closed, and a normal client on the
 * same node still does a subscribe + trigger round trip in its usual time while the attack runs.
 * Its own server: a 2 s write timeout, an app with the default limits and one without a rate limit
 * (so the pong and write bounds are tested on their own).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FloodIT {
    private static final String CONFIG = """
            server:
              write_timeout: 2
            apps:
              - id: "f1"
                key: flood-key
                secret: flood-secret
              - id: "f2"
                key: norate-key
                secret: norate-secret
                inbound_rate_limit: 0
            """;
    /** A normal round trip takes milliseconds on loopback; this leaves room for a busy 2-core machine. */
    private static final long ROUND_TRIP_BOUND_MILLIS = 2_000;
    private static final long HEAP_BOUND_BYTES = 400L * 1024 * 1024;

    private static ChorusProcess chorus;
    private static Pusher sdk;

    @BeforeAll
    static void start() throws IOException {
        chorus = ChorusProcess.start(CONFIG);
        sdk = Wire.sdk("f1", "flood-key", "flood-secret");
        sdk.setHost("127.0.0.1:" + chorus.port);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (chorus != null) {
            chorus.close();
        }
    }

    @Test
    void aPingFloodFromAClientThatNeverReadsIsCutOffAndTheHeapStaysBounded() throws Exception {
        try (Wire.Client normal = normalClient("normal-ping")) {
            long baseline = roundTrip(normal, "normal-ping", 0);
            for (String key : List.of("norate-key", "flood-key")) {
                // A tiny receive buffer and no reads: our pongs back up at once.
                RawWebSocket attacker = RawWebSocket.connect(chorus.port, "/app/" + key + "?protocol=7", Map.of(), 4096);
                byte[] payload = new byte[125];
                AtomicBoolean cutOff = new AtomicBoolean();
                AtomicLong sent = new AtomicLong();
                CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    try {
                        while (System.nanoTime() < deadline) {
                            attacker.sendFrame(RawWebSocket.PING, payload);
                            sent.incrementAndGet();
                        }
                    } catch (IOException e) {
                        cutOff.set(true);
                    }
                });
                int trips = 0;
                while (!flood.isDone() && trips < 200) {
                    long millis = roundTrip(normal, "normal-ping", ++trips);
                    assertTrue(millis < ROUND_TRIP_BOUND_MILLIS, key + ": round trip " + millis + " ms during the flood (before: "
                            + baseline + " ms)");
                }
                flood.get(70, TimeUnit.SECONDS);
                attacker.close();
                assertTrue(cutOff.get(), key + ": the server never cut the ping flood off after " + sent.get() + " pings");
                assertTrue(trips > 0);
                long heap = heapUsed();
                assertTrue(heap < HEAP_BOUND_BYTES, key + ": heap " + heap / (1024 * 1024) + " MB after " + sent.get() + " pings");
            }
            roundTrip(normal, "normal-ping", 1_000);
        }
    }

    @Test
    void aSubscribeFloodGetsLimitReachedAfterAThousandChannelsAndTheSocketStaysOpen() throws Exception {
        try (Wire.Client normal = normalClient("normal-subscribe");
             Wire.Client attacker = Wire.open(chorus.port, "norate-key")) {
            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 5_000; i++) {
                        attacker.send(Wire.subscribe("sf-" + i));
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            roundTrip(normal, "normal-subscribe", 1);
            int succeeded = 0;
            int limited = 0;
            String firstRefusal = null;
            for (int i = 0; i < 5_000; i++) {
                String frame = attacker.ws().nextText(10_000);
                assertNotNull(frame, "closed after " + i + " replies");
                if (frame.startsWith("{\"event\":\"pusher_internal:subscription_succeeded\"")) {
                    succeeded++;
                } else if (frame.contains("\"type\":\"LimitReached\"")) {
                    limited++;
                    if (firstRefusal == null) {
                        firstRefusal = frame;
                    }
                } else {
                    fail("unexpected " + frame);
                }
            }
            flood.get(30, TimeUnit.SECONDS);
            assertEquals(1_000, succeeded);
            assertEquals(4_000, limited);
            assertEquals("{\"event\":\"pusher:subscription_error\",\"channel\":\"sf-1000\",\"data\":{\"type\":\"LimitReached\","
                    + "\"error\":\"Too many channels on this connection; the limit is 1000 (max_channels_per_connection)\","
                    + "\"status\":403}}", firstRefusal);
            attacker.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            assertEquals("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", attacker.next(), "the socket stays open");
            long millis = roundTrip(normal, "normal-subscribe", 2);
            assertTrue(millis < ROUND_TRIP_BOUND_MILLIS, "round trip " + millis + " ms after the flood");
        }
    }

    @Test
    void aReconnectingClientReSubscribesAThousandChannelsAtOnceWithinTheBurst() throws Exception {
        try (Wire.Client client = Wire.open(chorus.port, "flood-key")) {
            for (int i = 0; i < 1_000; i++) {
                client.send(Wire.subscribe("re-" + i));
            }
            for (int i = 0; i < 1_000; i++) {
                String frame = client.next();
                assertNotNull(frame);
                assertTrue(frame.startsWith("{\"event\":\"pusher_internal:subscription_succeeded\""), frame);
            }
        }
    }

    @Test
    void aFrameRateFloodIsAnsweredWith4301ThenClosedAndANormalClientIsUnaffected() throws Exception {
        try (Wire.Client normal = normalClient("normal-rate");
             Wire.Client attacker = Wire.open(chorus.port, "flood-key")) {
            long start = System.nanoTime();
            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 5_000; i++) {
                        attacker.send("{\"event\":\"pusher:ping\",\"data\":{}}");
                    }
                } catch (IOException e) {
                    // closed by the server mid-flood: expected
                }
            });
            long millis = roundTrip(normal, "normal-rate", 1);
            assertTrue(millis < ROUND_TRIP_BOUND_MILLIS, "round trip " + millis + " ms during the flood");
            List<String> texts = new ArrayList<>();
            RawWebSocket.Frame close = attacker.ws().awaitClose(30_000, texts);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            flood.get(30, TimeUnit.SECONDS);
            assertEquals(4301, close.closeCode());
            long errors = texts.stream().filter(text -> text.equals(Wire.error(4301,
                    "Rate limit exceeded: too many messages on this connection (inbound_rate_limit)"))).count();
            assertTrue(errors >= 1 && errors <= seconds + 1, errors + " rate-limit errors in " + seconds + " s");
            long pongs = texts.stream().filter(text -> text.contains("pusher:pong")).count();
            assertTrue(pongs >= 1_200 && pongs < 1_200 + 100 * (seconds + 1), pongs + " frames answered");
            millis = roundTrip(normal, "normal-rate", 2);
            assertTrue(millis < ROUND_TRIP_BOUND_MILLIS, "round trip " + millis + " ms after the flood");
        }
    }

    private static Wire.Client normalClient(String channel) throws IOException {
        Wire.Client client = Wire.open(chorus.port, "flood-key");
        client.send(Wire.subscribe(channel));
        assertEquals(Wire.succeeded(channel), client.next());
        return client;
    }

    /** Triggers through the HTTP API and waits for the event on the normal client; returns the milliseconds. */
    private static long roundTrip(Wire.Client client, String channel, int n) throws IOException {
        long start = System.nanoTime();
        assertEquals(200, sdk.trigger(channel, "tick", Map.of("n", n)).getHttpStatus());
        String marker = "\\\"n\\\":" + n + "}";
        while (true) {
            String text = client.ws().nextText(10_000);
            assertNotNull(text, "the normal client was closed");
            if (text.contains("\"event\":\"tick\"") && text.contains(marker)) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            }
        }
    }

    /** Heap in use now, from the launcher's own /metrics (loopback). */
    private static long heapUsed() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + chorus.port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        double total = 0;
        for (String line : response.body().split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        assertTrue(total > 0, "no heap gauge in /metrics");
        return (long) total;
    }
}
