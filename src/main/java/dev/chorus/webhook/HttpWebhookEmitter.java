package dev.chorus.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.app.App;
import dev.chorus.protocol.Signer;
import dev.chorus.protocol.Webhooks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects events per app in a {@link CoalescingBuffer} and flushes every {@code 100 ms}: each
 * webhook of the app gets the events it wants, cut into batches, signed with the app secret and
 * handed to the {@link DeliveryLane} of its URL, which POSTs them with the JDK HTTP client, a few at
 * a time, retrying a failed batch after 1, 2, 4, 8 and 16 s. Every quantity is bounded by
 * {@link WebhookLimits}; what does not fit is dropped and counted in {@link #dropped()}.
 */
public final class HttpWebhookEmitter implements WebhookEmitter, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpWebhookEmitter.class);
    /** Pusher batches for up to 250 ms; 100 ms keeps occupancy news fresh and still coalesces churn. */
    static final Duration FLUSH_INTERVAL = Duration.ofMillis(100);

    /** One app's pending events; the app is kept for its webhooks, key and secret at flush time. */
    private record Pending(App app, CoalescingBuffer events) {
    }

    private final WebhookLimits limits;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    /** Keyed by URL, not by app: the bound is on what one receiver gets, whichever apps feed it. */
    private final Map<URI, DeliveryLane> lanes = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    /**
     * Made on the first webhook: the JDK client starts a selector thread that Java 17 cannot stop
     * (it ends once the client is collected), and a container undeploying an app without webhooks
     * must find nothing of it left running.
     */
    private HttpClient client;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "chorus-webhooks");
        thread.setDaemon(true);
        return thread;
    });

    /** @param concurrency {@code server.webhook_concurrency}: POSTs in flight per webhook URL */
    public HttpWebhookEmitter(int concurrency) {
        this(WebhookLimits.withConcurrency(concurrency));
    }

    public HttpWebhookEmitter(WebhookLimits limits) {
        this.limits = limits;
        long every = FLUSH_INTERVAL.toMillis();
        timer.scheduleWithFixedDelay(this::flush, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void emit(App app, ObjectNode event) {
        if (app.webhooks().isEmpty()) {
            return;
        }
        Pending buffer = pending.computeIfAbsent(app.id(), id -> new Pending(app, new CoalescingBuffer(limits.maxPendingEvents())));
        if (buffer.events().add(event) == CoalescingBuffer.Outcome.DROPPED) {
            dropped.incrementAndGet();
        }
    }

    /** Events dropped because a buffer or queue was full or a batch ran out of retries. */
    public long dropped() {
        return dropped.get();
    }

    /** POSTs in flight to this URL now, a batch waiting for its retry included. */
    int inFlight(URI url) {
        DeliveryLane lane = lanes.get(url);
        return lane == null ? 0 : lane.inFlight();
    }

    void flush() {
        try {
            for (Pending app : pending.values()) {
                List<ObjectNode> events = app.events().drain();
                if (!events.isEmpty()) {
                    deliver(app.app(), events);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Webhook batching failed: " + e);
        }
    }

    private void deliver(App app, List<ObjectNode> events) {
        for (App.Webhook webhook : app.webhooks()) {
            List<ObjectNode> wanted = new ArrayList<>();
            for (ObjectNode event : events) {
                if (webhook.wants(Webhooks.name(event), Webhooks.channel(event))) {
                    wanted.add(event);
                }
            }
            DeliveryLane lane = lanes.computeIfAbsent(webhook.url(), url -> new DeliveryLane(url, limits, client(), timer, dropped));
            for (int from = 0; from < wanted.size(); from += limits.maxBatchEvents()) {
                List<ObjectNode> slice = wanted.subList(from, Math.min(wanted.size(), from + limits.maxBatchEvents()));
                lane.offer(new DeliveryLane.Batch(request(app, webhook, Webhooks.body(System.currentTimeMillis(), slice)),
                        slice.size()));
            }
        }
    }

    private HttpRequest request(App app, App.Webhook webhook, String body) {
        return HttpRequest.newBuilder(webhook.url())
                .timeout(limits.requestTimeout())
                .header("Content-Type", "application/json")
                .header(Webhooks.KEY_HEADER, app.key())
                .header(Webhooks.SIGNATURE_HEADER, new Signer(app.secret()).sign(body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    @Override
    public void close() {
        flush();
        timer.shutdown();
        HttpClient used;
        synchronized (this) {
            used = client;
            client = null;
        }
        // HttpClient is AutoCloseable from Java 21 on: there, its thread stops now; on 17 it stops when collected.
        if (((Object) used) instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.debug("Closing the webhook HTTP client: {}", e.toString());
            }
        }
    }

    private synchronized HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
        }
        return client;
    }
}
