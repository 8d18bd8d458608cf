package dev.chorus.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.app.App;
import dev.chorus.protocol.Signer;
import dev.chorus.protocol.Webhooks;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches events per app and URL every {@code 100 ms}, signs each body with the app secret and POSTs
 * it with the JDK HTTP client, asynchronously. A batch that fails (connection error or non-2xx) is
 * retried after 1, 2, 4, 8 and 16 s, then dropped with one log line.
 */
public final class HttpWebhookEmitter implements WebhookEmitter, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpWebhookEmitter.class);
    private static final int MAX_QUEUED = 100_000;
    private static final int MAX_BATCH = 100;
    private static final int MAX_ATTEMPTS = 6;

    private record Queued(App app, ObjectNode event) {
    }

    private final ConcurrentLinkedQueue<Queued> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "chorus-webhooks");
        thread.setDaemon(true);
        return thread;
    });

    public HttpWebhookEmitter() {
        timer.scheduleWithFixedDelay(this::flush, 100, 100, TimeUnit.MILLISECONDS);
    }

    @Override
    public void emit(App app, ObjectNode event) {
        if (app.webhooks().isEmpty()) {
            return;
        }
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.add(new Queued(app, event));
    }

    /** Events dropped because the queue was full or a batch ran out of retries. */
    public long dropped() {
        return dropped.get();
    }

    private void flush() {
        try {
            Map<String, List<ObjectNode>> batches = new LinkedHashMap<>();
            Map<String, App.Webhook> targets = new LinkedHashMap<>();
            Map<String, App> apps = new LinkedHashMap<>();
            Queued next;
            while ((next = queue.poll()) != null) {
                queued.decrementAndGet();
                String name = next.event().path("name").asText();
                String channel = next.event().path("channel").asText();
                for (App.Webhook webhook : next.app().webhooks()) {
                    if (webhook.wants(name, channel)) {
                        String key = next.app().id() + " " + webhook.url();
                        batches.computeIfAbsent(key, k -> new ArrayList<>()).add(next.event());
                        targets.put(key, webhook);
                        apps.put(key, next.app());
                    }
                }
            }
            batches.forEach((key, events) -> {
                for (int from = 0; from < events.size(); from += MAX_BATCH) {
                    List<ObjectNode> slice = events.subList(from, Math.min(events.size(), from + MAX_BATCH));
                    send(apps.get(key), targets.get(key), Webhooks.body(System.currentTimeMillis(), slice), slice.size(), 1);
                }
            });
        } catch (RuntimeException e) {
            LOG.error("Webhook batching failed", e);
        }
    }

    private void send(App app, App.Webhook webhook, String body, int events, int attempt) {
        HttpRequest request = HttpRequest.newBuilder(webhook.url())
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header(Webhooks.KEY_HEADER, app.key())
                .header(Webhooks.SIGNATURE_HEADER, new Signer(app.secret()).sign(body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            if (failure == null && response.statusCode() / 100 == 2) {
                return;
            }
            String why = failure != null ? failure.toString() : "HTTP " + response.statusCode();
            if (attempt >= MAX_ATTEMPTS) {
                dropped.addAndGet(events);
                LOG.warn("Webhook to " + webhook.url() + " failed " + attempt + " times (" + why + "); dropped " + events
                        + " event(s)");
                return;
            }
            long delaySeconds = 1L << (attempt - 1);
            timer.schedule(() -> send(app, webhook, body, events, attempt + 1), delaySeconds, TimeUnit.SECONDS);
        });
    }

    @Override
    public void close() {
        flush();
        timer.shutdown();
    }
}
