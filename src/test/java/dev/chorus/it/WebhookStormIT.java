package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.chorus.testing.Await;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, point 5: subscribe/unsubscribe churn against a failing webhook receiver. Before, 25,000
 * pairs made 1,004 concurrent POSTs, 6,024 POSTs over the retries and 1,004 warning lines. Now the
 * pairs coalesce away, the receiver sees at most {@code webhook_concurrency} requests at once, the
 * outage is one warning line, a normal client on the node does not notice, and once the receiver
 * answers again real occupancy news reaches it.
 */
class WebhookStormIT {
    private static final int PAIRS = 25_000;
    private static final int CONCURRENCY = 2;
    /** Each slot tries a batch at most 6 times in 31 s; two slots, and room for one more batch each. */
    private static final int MAX_POSTS_IN_OUTAGE = CONCURRENCY * 6 * 2;

    /** Answers 500 (slowly, so requests overlap if the server lets them) until told to recover. */
    static final class FailingReceiver implements AutoCloseable {
        final HttpServer server;
        final ExecutorService threads = Executors.newCachedThreadPool();
        final AtomicBoolean failing = new AtomicBoolean(true);
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final AtomicInteger total = new AtomicInteger();
        final List<String> received = new CopyOnWriteArrayList<>();

        FailingReceiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(threads);
            server.createContext("/", exchange -> {
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                total.incrementAndGet();
                try {
                    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    int status = 200;
                    if (failing.get()) {
                        Thread.sleep(200);
                        status = 500;
                    } else {
                        for (JsonNode event : Wire.JSON.readTree(body).path("events")) {
                            received.add(event.path("name").asText() + " " + event.path("channel").asText());
                        }
                    }
                    exchange.sendResponseHeaders(status, -1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    inFlight.decrementAndGet();
                    exchange.close();
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks?token=hook-secret";
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }

    private static void await(String what, int seconds, Await.Condition condition) throws Exception {
        Await.until(what, Duration.ofSeconds(seconds), condition);
    }

    private static long warnings(ChorusProcess chorus) {
        return chorus.output().lines().filter(line -> line.contains("Webhook receiver") && line.contains("is failing")).count();
    }

    /** Sends the pairs on one socket while a thread reads the replies, so the socket never backs up. */
    private static void storm(ChorusProcess chorus, CountDownLatch started) throws Exception {
        try (Wire.Client attacker = Wire.open(chorus.port, "sk")) {
            CountDownLatch done = new CountDownLatch(1);
            Thread reader = new Thread(() -> {
                try {
                    String text;
                    while ((text = attacker.ws().nextText(30_000)) != null) {
                        if (text.contains("storm-done")) {
                            done.countDown();
                            return;
                        }
                    }
                } catch (IOException e) {
                    // the assertion below reports it
                }
            }, "storm-reader");
            reader.start();
            String subscribe = Wire.subscribe("storm");
            String unsubscribe = "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"storm\"}}";
            for (int i = 0; i < PAIRS; i++) {
                attacker.send(subscribe);
                attacker.send(unsubscribe);
                if (i == 100) {
                    started.countDown();
                }
            }
            attacker.send(Wire.subscribe("storm-done"));
            assertTrue(done.await(30, TimeUnit.SECONDS), "the server worked through every pair");
        }
    }

    /** Subscribe, a signed trigger, and the event on the socket: milliseconds for all three. */
    private static long roundTrip(ChorusProcess chorus, String channel) throws Exception {
        long start = System.nanoTime();
        try (Wire.Client client = Wire.open(chorus.port, "sk")) {
            client.send(Wire.subscribe(channel));
            assertEquals(Wire.succeeded(channel), client.next());
            String body = "{\"name\":\"hello\",\"channel\":\"" + channel + "\",\"data\":\"{}\"}";
            Http.Reply reply = Http.send(chorus.port, "POST", "/apps/7/events", "/apps/7/events", body, "sk", "ss",
                    System.currentTimeMillis() / 1000, Map.of(), body);
            assertEquals(200, reply.status(), reply.body());
            assertEquals("{\"event\":\"hello\",\"data\":\"{}\",\"channel\":\"" + channel + "\"}", client.next());
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void churnAgainstAFailingReceiverStaysInsideTheBoundAndIsOneWarningWhileNormalClientsCarryOn() throws Exception {
        try (FailingReceiver receiver = new FailingReceiver();
             ChorusProcess chorus = ChorusProcess.start("server:\n  webhook_concurrency: " + CONCURRENCY + "\napps:\n"
                     + "  - id: \"7\"\n    key: sk\n    secret: ss\n    inbound_rate_limit: 0\n    webhooks:\n"
                     + "      - url: " + receiver.url() + "\n")) {
            // Its usual time: measured once the HTTP API and the socket path are warm, before the storm.
            roundTrip(chorus, "warm-up");
            long usualMillis = roundTrip(chorus, "usual");
            ExecutorService background = Executors.newSingleThreadExecutor();
            CountDownLatch started = new CountDownLatch(1);
            long stormStart = System.nanoTime();
            Future<?> storm = background.submit(() -> {
                storm(chorus, started);
                return null;
            });
            assertTrue(started.await(30, TimeUnit.SECONDS), "storm started");

            // A normal client on the same node, during the storm: subscribe, signed trigger, delivery.
            long roundTripMillis = roundTrip(chorus, "calm");
            boolean duringStorm = !storm.isDone();

            storm.get(60, TimeUnit.SECONDS);
            long stormMillis = (System.nanoTime() - stormStart) / 1_000_000;
            background.shutdown();
            await("the receiver to be hit", 10, () -> receiver.total.get() > 0);
            await("the outage warning", 10, () -> warnings(chorus) > 0);
            int postsInOutage = receiver.total.get();
            int maxConcurrent = receiver.maxInFlight.get();
            long warningLines = warnings(chorus);
            System.out.println("WebhookStormIT: " + PAIRS + " pairs in " + stormMillis + " ms; POSTs " + postsInOutage
                    + ", max concurrent " + maxConcurrent + ", warning lines " + warningLines + "; normal round trip "
                    + roundTripMillis + " ms (usual " + usualMillis + " ms)" + (duringStorm ? " (during the storm)" : " (storm already over)"));

            assertTrue(maxConcurrent <= CONCURRENCY, "concurrent POSTs: " + maxConcurrent);
            assertTrue(postsInOutage <= MAX_POSTS_IN_OUTAGE, "POSTs during the outage: " + postsInOutage);
            assertEquals(1, warningLines, chorus.output());
            assertTrue(roundTripMillis < Math.max(1_000, 5 * usualMillis), "normal round trip took " + roundTripMillis
                    + " ms, usually " + usualMillis + " ms");
            assertFalse(chorus.output().contains("hook-secret"), "the webhook URL's query stays out of the log");
            assertFalse(chorus.output().contains("\tat "), "no stack trace in the log");

            // The receiver recovers; a real occupied/vacated afterwards arrives.
            receiver.failing.set(false);
            try (Wire.Client later = Wire.open(chorus.port, "sk")) {
                later.send(Wire.subscribe("after-outage"));
                assertEquals(Wire.succeeded("after-outage"), later.next());
                await("channel_occupied after the outage", 45, () -> receiver.received.contains("channel_occupied after-outage"));
            }
            await("channel_vacated after the outage", 20, () -> receiver.received.contains("channel_vacated after-outage"));
            await("the recovery line", 10, () -> chorus.output().contains("answers again"));
            // Only pairs cut in two by a flush boundary leave anything for the storm channel.
            System.out.println("WebhookStormIT: storm-channel events delivered after recovery: "
                    + receiver.received.stream().filter(line -> line.endsWith(" storm")).count() + ", POSTs in all "
                    + receiver.total.get());
            assertEquals(1, warnings(chorus), chorus.output());
            assertTrue(receiver.maxInFlight.get() <= CONCURRENCY, "concurrent POSTs: " + receiver.maxInFlight.get());
        }
    }
}
