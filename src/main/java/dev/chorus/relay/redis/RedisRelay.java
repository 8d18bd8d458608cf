package dev.chorus.relay.redis;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.chorus.app.Scaling;
import dev.chorus.relay.Envelope;
import dev.chorus.relay.EnvelopeCodec;
import dev.chorus.relay.Relay;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;

/**
 * {@link Relay} over Redis pub/sub with Jedis: one publisher thread with its own connection (one
 * thread keeps this node's envelopes in order), one subscriber thread on the deployment's channel.
 * Either link may drop at any time: the node keeps serving its own sockets, logs the outage once,
 * reconnects with backoff (100 ms doubling to 5 s) and resumes without a restart. Envelopes published
 * while the publisher link is down are dropped and counted (at-most-once, see {@link Relay}).
 */
public final class RedisRelay implements Relay {
    private static final Logger LOG = LoggerFactory.getLogger(RedisRelay.class);
    private static final int OUTBOX = 65_536;
    private static final int MAX_BATCH = 512;
    private static final long MIN_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final Scaling scaling;
    private final String nodeId;
    private final String channel;
    private final HostAndPort address;
    private final JedisClientConfig config;
    private final BlockingQueue<String> outbox = new ArrayBlockingQueue<>(OUTBOX);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean publisherUp = new AtomicBoolean();
    private final AtomicBoolean subscriberUp = new AtomicBoolean();
    private final AtomicBoolean outage = new AtomicBoolean();
    /** Until the first time both links are up, whatever the node did went unreported: resync then too. */
    private final AtomicBoolean everUp = new AtomicBoolean();
    private final AtomicLong outageStartMillis = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile long lastLagMillis;
    private volatile JedisPubSub pubSub;
    private volatile Runnable onReconnect = () -> { };
    private Thread publisher;
    private Thread subscriber;

    public RedisRelay(Scaling scaling, String nodeId) {
        this.scaling = scaling;
        this.nodeId = nodeId;
        this.channel = scaling.prefix();
        this.address = new HostAndPort(scaling.host(), scaling.port());
        this.config = DefaultJedisClientConfig.builder()
                .user(scaling.username())
                .password(scaling.password())
                .database(scaling.database())
                .ssl(scaling.tls())
                .connectionTimeoutMillis(2_000)
                .socketTimeoutMillis(5_000)
                .clientName("chorus-" + nodeId)
                .build();
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

    /** Runs (on its own thread) each time the link comes back after an outage. */
    public void onReconnect(Runnable task) {
        this.onReconnect = task;
    }

    /** Envelopes that could not be relayed (link down or outbox full) since start. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void publish(Envelope envelope) {
        if (!outbox.offer(EnvelopeCodec.encode(envelope))) {
            dropped.incrementAndGet();
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
        LOG.info("Scaling over Redis at " + scaling.describe() + ", channel '" + channel
                + "', node " + nodeId);
    }

    private void publishLoop() {
        Jedis jedis = null;
        long backoff = MIN_BACKOFF_MILLIS;
        long nextAttempt = 0;
        boolean firstRound = true;
        java.util.List<String> batch = new java.util.ArrayList<>(MAX_BATCH);
        while (running.get()) {
            String message = null;
            try {
                // Connect at once on start, rather than after the first poll.
                message = firstRound ? null : outbox.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                break;
            }
            firstRound = false;
            if (jedis == null && System.currentTimeMillis() >= nextAttempt) {
                try {
                    jedis = new Jedis(address, config);
                    jedis.ping();
                    publisherUp.set(true);
                    backoff = MIN_BACKOFF_MILLIS;
                    linkUp();
                } catch (RuntimeException e) {
                    close(jedis);
                    jedis = null;
                    linkDown("publisher", e);
                    nextAttempt = System.currentTimeMillis() + backoff;
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
                }
            }
            if (message == null) {
                continue;
            }
            // Everything queued behind it goes in the same pipeline: one round trip per batch, in order.
            batch.clear();
            batch.add(message);
            outbox.drainTo(batch, MAX_BATCH - 1);
            if (jedis == null) {
                dropped.addAndGet(batch.size());
                continue;
            }
            try {
                if (batch.size() == 1) {
                    jedis.publish(channel, message);
                } else {
                    Pipeline pipeline = jedis.pipelined();
                    for (String queued : batch) {
                        pipeline.publish(channel, queued);
                    }
                    pipeline.sync();
                }
            } catch (RuntimeException e) {
                dropped.addAndGet(batch.size());
                close(jedis);
                jedis = null;
                publisherUp.set(false);
                linkDown("publisher", e);
                nextAttempt = System.currentTimeMillis() + backoff;
            }
        }
        close(jedis);
    }

    private void subscribeLoop(Consumer<Envelope> receiver) {
        long backoff = MIN_BACKOFF_MILLIS;
        while (running.get()) {
            JedisPubSub listener = new JedisPubSub() {
                @Override
                public void onSubscribe(String subscribed, int count) {
                    subscriberUp.set(true);
                    linkUp();
                }

                @Override
                public void onMessage(String from, String message) {
                    Envelope envelope = EnvelopeCodec.decode(message);
                    if (envelope == null || envelope.node().equals(nodeId)) {
                        return;
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
            try (Jedis jedis = new Jedis(address, config)) {
                backoff = MIN_BACKOFF_MILLIS;
                jedis.subscribe(listener, channel);
            } catch (RuntimeException e) {
                if (!running.get()) {
                    break;
                }
                linkDown("subscriber", e);
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

    /** One line per outage, not one per failed attempt. */
    private void linkDown(String which, RuntimeException cause) {
        if (which.equals("subscriber")) {
            subscriberUp.set(false);
        }
        if (outage.compareAndSet(false, true)) {
            outageStartMillis.set(System.currentTimeMillis());
            LOG.warn("Redis at " + scaling.describe() + " unreachable (" + which + ": "
                    + cause.getMessage() + "); serving this node's connections only, reconnecting with backoff");
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
            LOG.warn("Redis link restored after " + seconds + " s; relaying again ("
                    + dropped.get() + " envelopes not relayed so far)");
        }
        if (first || restored) {
            Thread resync = new Thread(onReconnect, "chorus-redis-resync");
            resync.setDaemon(true);
            resync.start();
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
