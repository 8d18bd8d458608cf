package dev.chorus.webhook;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deliveries to one webhook URL: at most {@link WebhookLimits#concurrency} POSTs in flight, the other
 * batches wait in a bounded FIFO queue. A batch keeps its slot while it waits for a retry, so a
 * failing receiver never gets more than that many requests at once and the backoff really slows
 * us down instead of multiplying requests. A failing receiver is logged once when the outage begins
 * and once when it answers again, with what was dropped meanwhile: never per batch.
 * <p>Thread-safe: {@link #offer} runs on the flush timer, completions on the HTTP client's threads.
 */
final class DeliveryLane {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLane.class);

    /** One signed POST and the number of events in it. */
    record Batch(HttpRequest request, int events) {
    }

    private final String printableUrl;
    private final WebhookLimits limits;
    private final HttpClient client;
    private final ScheduledExecutorService timer;
    /** Events dropped, shared by every lane (the {@code chorus_webhooks_dropped} metric). */
    private final AtomicLong droppedEvents;
    private final ArrayDeque<Batch> queue = new ArrayDeque<>();
    private int inFlight;
    private boolean failing;
    /** Requests answered with 2xx so far: tells a late failure of an earlier request from a new outage. */
    private long successes;
    private long batchesDroppedInOutage;
    private long eventsDroppedInOutage;

    DeliveryLane(URI url, WebhookLimits limits, HttpClient client, ScheduledExecutorService timer, AtomicLong droppedEvents) {
        this.printableUrl = printable(url);
        this.limits = limits;
        this.client = client;
        this.timer = timer;
        this.droppedEvents = droppedEvents;
    }

    /** Starts the batch when a slot is free, else queues it, else drops it (counted). */
    void offer(Batch batch) {
        synchronized (this) {
            if (inFlight >= limits.concurrency()) {
                if (queue.size() < limits.maxQueuedBatches()) {
                    queue.add(batch);
                } else {
                    dropped(batch);
                }
                return;
            }
            inFlight++;
        }
        attempt(batch, 1);
    }

    private void attempt(Batch batch, int attempt) {
        long successesAtSend;
        synchronized (this) {
            successesAtSend = successes;
        }
        try {
            client.sendAsync(batch.request(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, failure) -> completed(batch, attempt, successesAtSend, response, failure));
        } catch (RuntimeException e) {
            completed(batch, attempt, successesAtSend, null, e);
        }
    }

    private void completed(Batch batch, int attempt, long successesAtSend, HttpResponse<Void> response, Throwable failure) {
        if (failure == null && response.statusCode() / 100 == 2) {
            recovered();
            next();
            return;
        }
        failed(failure != null ? reason(failure) : "HTTP " + response.statusCode(), successesAtSend);
        if (attempt >= limits.maxAttempts()) {
            synchronized (this) {
                dropped(batch);
            }
            next();
            return;
        }
        try {
            // The slot stays taken until this batch succeeds or gives up.
            timer.schedule(() -> attempt(batch, attempt + 1), limits.retryDelay(attempt).toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            synchronized (this) {
                dropped(batch);
            }
            next();
        }
    }

    /** Frees the slot, or hands it to the oldest queued batch. */
    private void next() {
        Batch batch;
        synchronized (this) {
            batch = queue.poll();
            if (batch == null) {
                inFlight--;
                return;
            }
        }
        attempt(batch, 1);
    }

    private void dropped(Batch batch) {
        droppedEvents.addAndGet(batch.events());
        if (failing) {
            batchesDroppedInOutage++;
            eventsDroppedInOutage += batch.events();
        }
    }

    /**
     * @param successesAtSend how many requests had succeeded when the failed one was sent: if one has
     *     succeeded since, the receiver answers again and this failure is an old one arriving late
     *     (requests overlap), not a new outage; the batch is retried all the same
     */
    private void failed(String reason, long successesAtSend) {
        synchronized (this) {
            if (failing || successesAtSend < successes) {
                return;
            }
            failing = true;
            batchesDroppedInOutage = 0;
            eventsDroppedInOutage = 0;
        }
        LOG.warn("Webhook receiver " + printableUrl + " is failing (" + reason + "); retrying with backoff, at most "
                + limits.concurrency() + " request(s) at a time; not logged again until it answers");
    }

    private void recovered() {
        long batches;
        long events;
        synchronized (this) {
            successes++;
            if (!failing) {
                return;
            }
            failing = false;
            batches = batchesDroppedInOutage;
            events = eventsDroppedInOutage;
        }
        LOG.info("Webhook receiver " + printableUrl + " answers again; " + batches + " batch(es) (" + events
                + " event(s)) dropped during the outage");
    }

    /** Requests started and not yet finished (a batch waiting for its retry counts). */
    synchronized int inFlight() {
        return inFlight;
    }

    synchronized int queued() {
        return queue.size();
    }

    synchronized boolean failing() {
        return failing;
    }

    /** Scheme, host, port and path: user info and query may carry credentials. */
    static String printable(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "")
                + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    /** The failure's type and first message, without a stack trace and without any URL it might quote. */
    private String reason(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = null;
        for (Throwable t = cause; t != null && message == null; t = t.getCause()) {
            message = t.getMessage() == null || t.getMessage().isBlank() ? null : t.getMessage();
        }
        String type = cause.getClass().getSimpleName();
        return message == null ? type : type + ": " + message.replaceAll("\\S+://\\S+", printableUrl);
    }
}
