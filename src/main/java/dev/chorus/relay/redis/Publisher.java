package dev.chorus.relay.redis;

import dev.chorus.app.Scaling;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * The relay's publishing side: one thread with its own connection, so this node's envelopes reach Redis
 * in the order they were published. It takes them from the {@link Outbox} in batches (one pipeline, one
 * round trip each). What cannot be published (the link is down, or a publish failed on a connection that
 * turned out dead) goes to the {@link OutageBuffer}, and out again, in order and before anything newer,
 * once a fresh connection has answered. After an outage it first waits (up to
 * {@value #RESUBSCRIBE_GRACE_MILLIS} ms) until as many nodes are subscribed as received its last publish
 * or idle check, so a node still resubscribing does not miss what was held.
 * <p>An idle connection is checked every {@code ping_interval} with {@code PUBSUB NUMSUB}, which is also how
 * it learns how many nodes listen. A failed connection is replaced with {@link Backoff}.
 * <p>Threading: its own daemon thread; everything but {@link #start} and {@link #close} runs on it.
 */
final class Publisher {
    // Under the relay's name, as before the split: operators filter on it.
    private static final Logger LOG = LoggerFactory.getLogger(RedisRelay.class);
    static final int MAX_BATCH = 512;
    static final long RESUBSCRIBE_GRACE_MILLIS = 5_000;
    private static final long RESUBSCRIBE_POLL_MILLIS = 50;

    private final Scaling scaling;
    private final RedisEndpoint endpoint;
    private final String nodeId;
    private final String channel;
    private final long pingIntervalMillis;
    private final long pingTimeoutMillis;
    private final Outbox outbox;
    private final OutageBuffer held;
    private final LongSupplier dropped;
    private final LinkState link;
    private final BooleanSupplier running;
    private Thread thread;

    // The publisher thread's own state.
    private Jedis jedis;
    private final Backoff backoff = Backoff.relay();
    private long nextAttempt;
    private long lastUsed;
    /** Subscribers that got this node's last publish: after an outage, wait for as many to be back. */
    private long receivers;
    private boolean wasDown;
    private long heldThisOutage;
    private long droppedBefore;

    /** @param dropped envelopes not relayed since start, for the line when the buffer empties */
    Publisher(Scaling scaling, RedisEndpoint endpoint, String nodeId, Outbox outbox, OutageBuffer held, LongSupplier dropped,
              LinkState link, BooleanSupplier running) {
        this.scaling = scaling;
        this.endpoint = endpoint;
        this.nodeId = nodeId;
        this.channel = scaling.prefix();
        this.pingIntervalMillis = scaling.link().pingInterval().toMillis();
        this.pingTimeoutMillis = scaling.link().pingTimeout().toMillis();
        this.outbox = outbox;
        this.held = held;
        this.dropped = dropped;
        this.link = link;
        this.running = running;
    }

    void start() {
        thread = new Thread(this::run, "chorus-redis-publisher");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running.getAsBoolean()) {
            long now = System.currentTimeMillis();
            if (jedis == null && now >= nextAttempt) {
                connect();
            }
            // A volatile read while healthy: the buffer costs the hot path nothing until an outage.
            if (jedis != null && held.size() > 0) {
                flushHeld();
                continue;
            }
            List<String> batch;
            try {
                long wait = jedis != null ? pingIntervalMillis : Math.max(1, Math.min(pingIntervalMillis, nextAttempt - now));
                batch = outbox.take(wait);
            } catch (InterruptedException e) {
                break;
            }
            if (batch.isEmpty()) {
                checkIdle();
                continue;
            }
            if (jedis != null) {
                try {
                    receivers = send(batch);
                    lastUsed = System.currentTimeMillis();
                    continue;
                } catch (RuntimeException e) {
                    // The connection may have died before this batch reached Redis: try it again on a fresh one.
                    broken(e);
                }
            }
            hold(batch);
        }
        close(jedis);
    }

    private void connect() {
        try {
            jedis = endpoint.connect("chorus-" + nodeId, (int) pingTimeoutMillis);
            link.up(LinkState.Side.PUBLISHER);
            if (wasDown) {
                awaitSubscribers(receivers);
            }
            backoff.reset();
            lastUsed = System.currentTimeMillis();
            wasDown = false;
        } catch (RuntimeException e) {
            close(jedis);
            jedis = null;
            wasDown = true;
            link.down(LinkState.Side.PUBLISHER, e);
            nextAttempt = System.currentTimeMillis() + backoff.next();
        }
    }

    /** Sends the oldest held envelopes; says how the outage went once the buffer is empty. */
    private void flushHeld() {
        List<String> oldest = held.peek(MAX_BATCH);
        try {
            if (!oldest.isEmpty()) {
                receivers = send(oldest);
                held.remove(oldest.size());
                lastUsed = System.currentTimeMillis();
            }
            if (held.size() == 0) {
                LOG.warn("Outage buffer emptied: " + heldThisOutage + " envelopes published during the Redis outage, "
                        + (dropped.getAsLong() - droppedBefore) + " dropped (over scaling.outage_buffer=" + scaling.link().outageBuffer()
                        + " or older than scaling.outage_buffer_seconds=" + scaling.link().outageBufferAge().toSeconds() + ")");
                heldThisOutage = 0;
            }
        } catch (RuntimeException e) {
            broken(e);
        }
    }

    /** Nothing to publish for a ping interval: a PING that also learns how many nodes listen, for the wait after an outage. */
    private void checkIdle() {
        if (jedis != null && System.currentTimeMillis() - lastUsed >= pingIntervalMillis) {
            try {
                receivers = subscribers();
                lastUsed = System.currentTimeMillis();
            } catch (RuntimeException e) {
                broken(e);
            }
        }
    }

    private void hold(List<String> batch) {
        if (held.size() == 0 && heldThisOutage == 0) {
            droppedBefore = dropped.getAsLong();
        }
        heldThisOutage += batch.size();
        held.addAll(batch);
    }

    /** @return how many subscribers got the last message */
    private long send(List<String> messages) {
        if (messages.size() == 1) {
            return jedis.publish(channel, messages.get(0));
        }
        Pipeline pipeline = jedis.pipelined();
        Response<Long> last = null;
        for (String message : messages) {
            last = pipeline.publish(channel, message);
        }
        pipeline.sync();
        return last.get();
    }

    /** The connection failed: drop it and reconnect at once (the backoff applies from the next failure). */
    private void broken(RuntimeException cause) {
        close(jedis);
        jedis = null;
        link.down(LinkState.Side.PUBLISHER, cause);
        wasDown = true;
        nextAttempt = System.currentTimeMillis();
    }

    /** Until the nodes subscribed before the outage are subscribed again, or the grace period ran out. */
    private void awaitSubscribers(long expected) {
        if (expected <= 1) {
            return;
        }
        long deadline = System.currentTimeMillis() + RESUBSCRIBE_GRACE_MILLIS;
        while (running.getAsBoolean() && System.currentTimeMillis() < deadline) {
            if (subscribers() >= expected) {
                return;
            }
            try {
                // Redis tells nobody when a subscriber arrives: asking again is the only way to know.
                Thread.sleep(RESUBSCRIBE_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private long subscribers() {
        Long subscribed = jedis.pubsubNumSub(channel).get(channel);
        return subscribed == null ? 0 : subscribed;
    }

    static void close(Jedis jedis) {
        if (jedis != null) {
            try {
                jedis.close();
            } catch (RuntimeException ignored) {
                // already broken
            }
        }
    }

    /** Waits (up to two seconds) for the thread to end; the caller has stopped {@code running} first. */
    void close() {
        RedisRelay.stop(thread);
    }
}
