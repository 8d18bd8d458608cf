package dev.chorus.relay.redis;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.chorus.app.Scaling;
import dev.chorus.relay.Envelope;
import dev.chorus.relay.EnvelopeCodec;
import dev.chorus.relay.Relay;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * {@link Relay} over Redis pub/sub with Jedis: one publisher thread with its own connection (one
 * thread keeps this node's envelopes in order), one subscriber thread on the deployment's channel.
 * Either link may drop at any time: the node keeps serving its own sockets, logs the outage once,
 * reconnects with backoff and resumes without a restart.
 * <p>No envelope is lost to a short outage: what could not be published (the link was down, or a
 * publish failed on a connection that turned out dead) waits in an {@link OutageBuffer} and goes out,
 * in order and before anything newer, once a fresh connection has answered. After an outage the
 * publisher also waits (up to {@value #RESUBSCRIBE_GRACE_MILLIS} ms) until as many nodes are subscribed
 * as were listening before it (by its last publish or idle check), so a node still resubscribing does
 * not miss what was held.
 * Each envelope carries the publisher's sequence number: a retried publish that had in fact reached
 * Redis is dropped by the receivers, so delivery stays at most once.
 * <p>Liveness: an idle publisher link is checked every {@code ping_interval} (with {@code PUBSUB NUMSUB}, which
 * also counts the listening nodes); the subscriber link is PINGed
 * on the pub/sub connection and replaced when nothing (pong, message) came back for {@code ping_timeout},
 * so a half-open connection (Redis paused, a dropped NAT entry) is noticed in seconds, not at the next
 * publish or when the OS gives up.
 */
public final class RedisRelay implements Relay {
    private static final Logger LOG = LoggerFactory.getLogger(RedisRelay.class);
    private static final int OUTBOX = 65_536;
    private static final int MAX_BATCH = 512;
    private static final long MIN_BACKOFF_MILLIS = 100;
    /** Reconnecting is cheap and an idle Redis does not mind: a short cap gets the cluster back in about a second. */
    private static final long MAX_BACKOFF_MILLIS = 1_000;
    static final long RESUBSCRIBE_GRACE_MILLIS = 5_000;

    private final Scaling scaling;
    private final String nodeId;
    private final String channel;
    private final RedisEndpoint endpoint;
    private final long pingIntervalMillis;
    private final long pingTimeoutMillis;
    private final BlockingQueue<String> outbox = new ArrayBlockingQueue<>(OUTBOX);
    private final OutageBuffer held;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean publisherUp = new AtomicBoolean();
    private final AtomicBoolean subscriberUp = new AtomicBoolean();
    private final AtomicBoolean outage = new AtomicBoolean();
    /** Until the first time both links are up, whatever the node did went unreported: resync then too. */
    private final AtomicBoolean everUp = new AtomicBoolean();
    private final AtomicLong outageStartMillis = new AtomicLong();
    /** Refused because the outbox was full; the buffer counts its own. */
    private final AtomicLong refused = new AtomicLong();
    private final ScheduledExecutorService watchdog;
    private volatile long lastLagMillis;
    private volatile JedisPubSub pubSub;
    private volatile Jedis subscriberConnection;
    private volatile long lastHeardMillis;
    private volatile String staleReason;
    private volatile Runnable onReconnect = () -> { };
    private Thread publisher;
    private Thread subscriber;

    public RedisRelay(Scaling scaling, String nodeId) {
        this.scaling = scaling;
        this.nodeId = nodeId;
        this.channel = scaling.prefix();
        this.endpoint = new RedisEndpoint(scaling);
        this.pingIntervalMillis = scaling.link().pingInterval().toMillis();
        this.pingTimeoutMillis = scaling.link().pingTimeout().toMillis();
        this.held = new OutageBuffer(scaling.link().outageBuffer(), scaling.link().outageBufferAge().toMillis(),
                System::currentTimeMillis);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "chorus-redis-watchdog");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public boolean connected() {
        return publisherUp.get() && subscriberUp.get();
    }

    /** Publish-to-receive time of the last envelope from another node, in milliseconds. */
    public long lastLagMillis() {
        return lastLagMillis;
    }

    /** Runs, on a relay thread, each time the link comes back after an outage and when it first comes up; must not block. */
    public void onReconnect(Runnable task) {
        this.onReconnect = task;
    }

    /** Envelopes that could not be relayed (outbox full, over the outage buffer's bound or too old in it) since start. */
    public long dropped() {
        return refused.get() + held.dropped();
    }

    /** Envelopes waiting in the outage buffer now. */
    public int buffered() {
        return held.size();
    }

    @Override
    public void publish(Envelope envelope) {
        if (!outbox.offer(EnvelopeCodec.encode(envelope))) {
            refused.incrementAndGet();
        }
    }

    @Override
    public void start(Consumer<Envelope> receiver) {
        publisher = new Thread(this::publishLoop, "chorus-redis-publisher");
        publisher.setDaemon(true);
        subscriber = new Thread(() -> subscribeLoop(receiver), "chorus-redis-subscriber");
        subscriber.setDaemon(true);
        publisher.start();
        subscriber.start();
        watchdog.scheduleWithFixedDelay(this::watchSubscriber, pingIntervalMillis, pingIntervalMillis, TimeUnit.MILLISECONDS);
        LOG.info("Scaling over Redis at " + scaling.describe() + ", channel '" + channel
                + "', node " + nodeId);
    }

    private void publishLoop() {
        Jedis jedis = null;
        long backoff = MIN_BACKOFF_MILLIS;
        long nextAttempt = 0;
        long sequence = 0;
        long lastUsed = 0;
        // Subscribers that got this node's last publish: after an outage, wait for as many to be back.
        long receivers = 0;
        boolean wasDown = false;
        long heldThisOutage = 0;
        long droppedBefore = 0;
        List<String> batch = new ArrayList<>(MAX_BATCH);
        while (running.get()) {
            long now = System.currentTimeMillis();
            if (jedis == null && now >= nextAttempt) {
                try {
                    jedis = endpoint.connect("chorus-" + nodeId, (int) pingTimeoutMillis);
                    publisherUp.set(true);
                    linkUp();
                    if (wasDown) {
                        awaitSubscribers(jedis, receivers);
                    }
                    backoff = MIN_BACKOFF_MILLIS;
                    lastUsed = System.currentTimeMillis();
                    wasDown = false;
                } catch (RuntimeException e) {
                    close(jedis);
                    jedis = null;
                    wasDown = true;
                    publisherUp.set(false);
                    linkDown("publisher", e);
                    nextAttempt = System.currentTimeMillis() + backoff;
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
                }
            }
            // A volatile read while healthy: the buffer costs the hot path nothing until an outage.
            if (jedis != null && held.size() > 0) {
                List<String> oldest = held.peek(MAX_BATCH);
                try {
                    if (!oldest.isEmpty()) {
                        receivers = send(jedis, oldest);
                        held.remove(oldest.size());
                        lastUsed = System.currentTimeMillis();
                    }
                    if (held.size() == 0) {
                        LOG.warn("Outage buffer emptied: " + heldThisOutage + " envelopes published during the Redis outage, "
                                + (dropped() - droppedBefore) + " dropped (over scaling.outage_buffer=" + scaling.link().outageBuffer()
                                + " or older than scaling.outage_buffer_seconds=" + scaling.link().outageBufferAge().toSeconds() + ")");
                        heldThisOutage = 0;
                    }
                } catch (RuntimeException e) {
                    jedis = broken(jedis, e);
                    wasDown = true;
                    nextAttempt = System.currentTimeMillis();
                }
                continue;
            }
            String message;
            try {
                long wait = jedis != null ? pingIntervalMillis : Math.max(1, Math.min(pingIntervalMillis, nextAttempt - now));
                message = outbox.poll(wait, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (message == null) {
                if (jedis != null && System.currentTimeMillis() - lastUsed >= pingIntervalMillis) {
                    try {
                        // A PING that also learns how many nodes listen, for the wait after an outage.
                        receivers = subscribers(jedis);
                        lastUsed = System.currentTimeMillis();
                    } catch (RuntimeException e) {
                        jedis = broken(jedis, e);
                        wasDown = true;
                        nextAttempt = System.currentTimeMillis();
                    }
                }
                continue;
            }
            // Everything queued behind it goes in the same pipeline: one round trip per batch, in order.
            batch.clear();
            batch.add(message);
            outbox.drainTo(batch, MAX_BATCH - 1);
            for (int i = 0; i < batch.size(); i++) {
                batch.set(i, EnvelopeCodec.withSequence(batch.get(i), ++sequence));
            }
            if (jedis != null) {
                try {
                    receivers = send(jedis, batch);
                    lastUsed = System.currentTimeMillis();
                    continue;
                } catch (RuntimeException e) {
                    // The connection may have died before this batch reached Redis: try it again on a fresh one.
                    jedis = broken(jedis, e);
                    wasDown = true;
                    nextAttempt = System.currentTimeMillis();
                }
            }
            if (held.size() == 0 && heldThisOutage == 0) {
                droppedBefore = dropped();
            }
            heldThisOutage += batch.size();
            held.addAll(batch);
        }
        close(jedis);
    }

    /** @return how many subscribers got the last message */
    private long send(Jedis jedis, List<String> messages) {
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

    private Jedis broken(Jedis jedis, RuntimeException cause) {
        close(jedis);
        publisherUp.set(false);
        linkDown("publisher", cause);
        return null;
    }

    /** Until the nodes subscribed before the outage are subscribed again, or the grace period ran out. */
    private void awaitSubscribers(Jedis jedis, long expected) {
        if (expected <= 1) {
            return;
        }
        long deadline = System.currentTimeMillis() + RESUBSCRIBE_GRACE_MILLIS;
        while (running.get() && System.currentTimeMillis() < deadline) {
            if (subscribers(jedis) >= expected) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private long subscribers(Jedis jedis) {
        Long subscribed = jedis.pubsubNumSub(channel).get(channel);
        return subscribed == null ? 0 : subscribed;
    }

    private void subscribeLoop(Consumer<Envelope> receiver) {
        long backoff = MIN_BACKOFF_MILLIS;
        // Last sequence number seen per sending node: a retried publish may arrive twice.
        Map<String, Long> lastSequence = new HashMap<>();
        while (running.get()) {
            JedisPubSub listener = new JedisPubSub() {
                @Override
                public void onSubscribe(String subscribed, int count) {
                    lastHeardMillis = System.currentTimeMillis();
                    subscriberUp.set(true);
                    linkUp();
                }

                @Override
                public void onPong(String pattern) {
                    lastHeardMillis = System.currentTimeMillis();
                }

                @Override
                public void onMessage(String from, String message) {
                    lastHeardMillis = System.currentTimeMillis();
                    Envelope envelope = EnvelopeCodec.decode(message);
                    if (envelope == null || envelope.node().equals(nodeId)) {
                        return;
                    }
                    long number = EnvelopeCodec.sequence(message);
                    if (number > 0) {
                        Long last = lastSequence.get(envelope.node());
                        if (last != null && number <= last) {
                            return;
                        }
                        if (lastSequence.size() > 10_000) {
                            lastSequence.clear();
                        }
                        lastSequence.put(envelope.node(), number);
                    }
                    long sent = EnvelopeCodec.sentAt(message);
                    if (sent > 0) {
                        lastLagMillis = Math.max(0, System.currentTimeMillis() - sent);
                    }
                    try {
                        receiver.accept(envelope);
                    } catch (RuntimeException e) {
                        LOG.error("Relayed envelope failed locally", e);
                    }
                }
            };
            pubSub = listener;
            Jedis jedis = null;
            try {
                staleReason = null;
                jedis = endpoint.connect("chorus-sub-" + nodeId, (int) pingTimeoutMillis);
                lastHeardMillis = System.currentTimeMillis();
                subscriberConnection = jedis;
                backoff = MIN_BACKOFF_MILLIS;
                jedis.subscribe(listener, channel);
            } catch (RuntimeException e) {
                if (!running.get()) {
                    break;
                }
                String stale = staleReason;
                linkDown("subscriber", stale == null ? e : new IllegalStateException(stale));
            } finally {
                subscriberConnection = null;
                close(jedis);
            }
            subscriberUp.set(false);
            if (!running.get()) {
                break;
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                break;
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        }
    }

    /** PINGs the pub/sub connection; one that stayed silent past the timeout is cut so the subscriber reconnects. */
    private void watchSubscriber() {
        Jedis connection = subscriberConnection;
        JedisPubSub listener = pubSub;
        if (connection == null || !running.get()) {
            return;
        }
        long silent = System.currentTimeMillis() - lastHeardMillis;
        try {
            if (silent >= pingTimeoutMillis) {
                staleReason = "no answer on the subscriber link for " + silent + " ms";
                subscriberUp.set(false);
                connection.disconnect();
            } else if (listener != null && listener.isSubscribed()) {
                listener.ping();
            }
        } catch (RuntimeException e) {
            try {
                connection.disconnect();
            } catch (RuntimeException ignored) {
                // already broken
            }
        }
    }

    /** One line per outage, not one per failed attempt. */
    private void linkDown(String which, RuntimeException cause) {
        if (which.equals("subscriber")) {
            subscriberUp.set(false);
        }
        if (outage.compareAndSet(false, true)) {
            outageStartMillis.set(System.currentTimeMillis());
            LOG.warn("Redis at " + scaling.describe() + " unreachable (" + which + ": "
                    + cause.getMessage() + "); serving this node's connections only, holding up to "
                    + scaling.link().outageBuffer() + " envelopes for " + scaling.link().outageBufferAge().toSeconds()
                    + " s, reconnecting with backoff");
        }
    }

    private synchronized void linkUp() {
        if (!connected()) {
            return;
        }
        boolean first = everUp.compareAndSet(false, true);
        boolean restored = outage.compareAndSet(true, false);
        if (restored) {
            long seconds = (System.currentTimeMillis() - outageStartMillis.get()) / 1000;
            LOG.warn("Redis link restored after " + seconds + " s; relaying again (" + held.size()
                    + " envelopes held to relay, " + dropped() + " not relayed so far)");
        }
        if (first || restored) {
            try {
                onReconnect.run();
            } catch (RuntimeException e) {
                LOG.error("Reacting to the restored Redis link failed", e);
            }
        }
    }

    private static void close(Jedis jedis) {
        if (jedis != null) {
            try {
                jedis.close();
            } catch (RuntimeException ignored) {
                // already broken
            }
        }
    }

    @Override
    public void close() {
        running.set(false);
        watchdog.shutdownNow();
        JedisPubSub listener = pubSub;
        if (listener != null && listener.isSubscribed()) {
            try {
                listener.unsubscribe();
            } catch (RuntimeException ignored) {
                // the link is gone anyway
            }
        }
        for (Thread thread : new Thread[] {publisher, subscriber}) {
            if (thread != null) {
                thread.interrupt();
                try {
                    thread.join(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
