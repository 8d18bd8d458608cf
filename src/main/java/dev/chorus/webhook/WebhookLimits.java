package dev.chorus.webhook;

import java.time.Duration;

/**
 * Every bound on what webhooks can hold or send. Clients drive the events (subscribe, unsubscribe,
 * join, leave, client events), so each quantity they can grow here has a limit.
 *
 * @param concurrency      {@code webhook_concurrency}: POSTs in flight per webhook URL, retries included
 *                         (a batch waiting for its retry keeps its slot)
 * @param maxPendingEvents events per app waiting for the next flush, after coalescing; more are dropped
 * @param maxQueuedBatches batches per webhook URL waiting for a free slot; more are dropped
 * @param maxBatchEvents   events in one POST
 * @param maxAttempts      tries per batch, the first one included
 * @param firstRetry       wait before the first retry; doubles with each further one
 * @param requestTimeout   how long one POST may take before it counts as failed
 */
public record WebhookLimits(int concurrency, int maxPendingEvents, int maxQueuedBatches, int maxBatchEvents,
                            int maxAttempts, Duration firstRetry, Duration requestTimeout) {
    public static final int DEFAULT_CONCURRENCY = 2;
    public static final int DEFAULT_MAX_PENDING_EVENTS = 10_000;
    public static final int DEFAULT_MAX_QUEUED_BATCHES = 100;
    public static final int DEFAULT_MAX_BATCH_EVENTS = 100;
    /** 1 + retries after 1, 2, 4, 8 and 16 s. */
    public static final int DEFAULT_MAX_ATTEMPTS = 6;
    public static final Duration DEFAULT_FIRST_RETRY = Duration.ofSeconds(1);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    public static final WebhookLimits DEFAULTS = withConcurrency(DEFAULT_CONCURRENCY);

    public WebhookLimits {
        if (concurrency < 1 || maxPendingEvents < 1 || maxQueuedBatches < 0 || maxBatchEvents < 1 || maxAttempts < 1
                || firstRetry.isNegative() || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("webhook limits out of range: " + concurrency + ", " + maxPendingEvents
                    + ", " + maxQueuedBatches + ", " + maxBatchEvents + ", " + maxAttempts);
        }
    }

    /** The defaults with {@code server.webhook_concurrency} from the settings. */
    public static WebhookLimits withConcurrency(int concurrency) {
        return new WebhookLimits(concurrency, DEFAULT_MAX_PENDING_EVENTS, DEFAULT_MAX_QUEUED_BATCHES,
                DEFAULT_MAX_BATCH_EVENTS, DEFAULT_MAX_ATTEMPTS, DEFAULT_FIRST_RETRY, DEFAULT_REQUEST_TIMEOUT);
    }

    /** Wait before try number {@code attempt + 1}, after try {@code attempt} failed (1, 2, 4, ... times the first). */
    Duration retryDelay(int attempt) {
        return firstRetry.multipliedBy(1L << Math.min(30, attempt - 1));
    }
}
