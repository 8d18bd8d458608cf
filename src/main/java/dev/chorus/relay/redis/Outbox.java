package dev.chorus.relay.redis;

import dev.chorus.relay.EnvelopeCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Encoded envelopes on their way from the clients' threads to the publisher thread. Bounded: when it is
 * full an envelope is refused and counted, never blocking a client. The publisher takes them in batches
 * (everything queued, up to {@code maxBatch}: one round trip per batch) and numbers them as it takes them,
 * so the receivers can drop a retried publish that had in fact reached Redis.
 * <p>Threading: {@link #offer} and {@link #refused} from any thread; {@link #take} from the publisher thread only.
 */
final class Outbox {
    private final BlockingQueue<String> queue;
    private final int maxBatch;
    private final AtomicLong refused = new AtomicLong();
    private long sequence;

    Outbox(int capacity, int maxBatch) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBatch = maxBatch;
    }

    /** Queues an encoded envelope; when the outbox is full it is refused and counted. */
    void offer(String encoded) {
        if (!queue.offer(encoded)) {
            refused.incrementAndGet();
        }
    }

    /** Envelopes refused because the outbox was full, since start. */
    long refused() {
        return refused.get();
    }

    /**
     * Waits up to {@code waitMillis} for an envelope, then takes it and everything queued behind it, up to the
     * batch size, each numbered one past the last.
     * @return the batch, oldest first; empty when nothing came in time
     */
    List<String> take(long waitMillis) throws InterruptedException {
        String first = queue.poll(waitMillis, TimeUnit.MILLISECONDS);
        if (first == null) {
            return List.of();
        }
        List<String> batch = new ArrayList<>(Math.min(maxBatch, queue.size() + 1));
        batch.add(first);
        queue.drainTo(batch, maxBatch - 1);
        for (int i = 0; i < batch.size(); i++) {
            batch.set(i, EnvelopeCodec.withSequence(batch.get(i), ++sequence));
        }
        return batch;
    }
}
