package dev.chorus.relay.redis;

import dev.chorus.app.Scaling;
import dev.chorus.relay.Envelope;
import dev.chorus.relay.EnvelopeCodec;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * The relay's receiving side: one thread subscribed to the deployment's channel, handing every other
 * node's envelopes to the receiver once ({@link Duplicates} drops a retried publish seen before), and
 * reconnecting with {@link Backoff} when the link drops.
 * <p>Liveness: a watchdog PINGs the pub/sub connection every {@code ping_interval} and cuts it when nothing
 * (pong, message) came back for {@code ping_timeout}, so a half-open connection (Redis paused, a dropped NAT
 * entry) is noticed in seconds, not when the OS gives up.
 * <p>Threading: the receiver runs on the subscriber thread, one envelope at a time in the order Redis
 * delivered them; the watchdog has its own thread.
 */
final class Subscriber {
    // Under the relay's name, as before the split: operators filter on it.
    private static final Logger LOG = LoggerFactory.getLogger(RedisRelay.class);

    private final RedisEndpoint endpoint;
    private final String nodeId;
    private final String channel;
    private final long pingIntervalMillis;
    private final long pingTimeoutMillis;
    private final LinkState link;
    private final BooleanSupplier running;
    private final Duplicates duplicates = new Duplicates();
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "chorus-redis-watchdog");
        thread.setDaemon(true);
        return thread;
    });
    private Thread thread;
    private volatile long lastLagMillis;
    private volatile JedisPubSub pubSub;
    private volatile Jedis connection;
    private volatile long lastHeardMillis;
    /** Why the watchdog cut the connection, for the outage line instead of the socket error that follows. */
    private volatile String staleReason;

    Subscriber(Scaling scaling, RedisEndpoint endpoint, String nodeId, LinkState link, BooleanSupplier running) {
        this.endpoint = endpoint;
        this.nodeId = nodeId;
        this.channel = scaling.prefix();
        this.pingIntervalMillis = scaling.link().pingInterval().toMillis();
        this.pingTimeoutMillis = scaling.link().pingTimeout().toMillis();
        this.link = link;
        this.running = running;
    }

    /** Publish-to-receive time of the last envelope from another node, in milliseconds. */
    long lastLagMillis() {
        return lastLagMillis;
    }

    void start(Consumer<Envelope> receiver) {
        thread = new Thread(() -> run(receiver), "chorus-redis-subscriber");
        thread.setDaemon(true);
        thread.start();
        watchdog.scheduleWithFixedDelay(this::watch, pingIntervalMillis, pingIntervalMillis, TimeUnit.MILLISECONDS);
    }

    private void run(Consumer<Envelope> receiver) {
        Backoff backoff = Backoff.relay();
        while (running.getAsBoolean()) {
            JedisPubSub listener = new Listener(receiver);
            pubSub = listener;
            Jedis jedis = null;
            try {
                staleReason = null;
                jedis = endpoint.connect("chorus-sub-" + nodeId, (int) pingTimeoutMillis);
                lastHeardMillis = System.currentTimeMillis();
                connection = jedis;
                backoff.reset();
                jedis.subscribe(listener, channel);
            } catch (RuntimeException e) {
                if (!running.getAsBoolean()) {
                    break;
                }
                String stale = staleReason;
                link.down(LinkState.Side.SUBSCRIBER, stale == null ? e : new IllegalStateException(stale));
            } finally {
                connection = null;
                Publisher.close(jedis);
            }
            link.lost(LinkState.Side.SUBSCRIBER);
            if (!running.getAsBoolean()) {
                break;
            }
            try {
                Thread.sleep(backoff.next());
            } catch (InterruptedException e) {
                break;
            }
        }
    }

    /** Hears the subscription, pongs and messages on one connection; a fresh one per connection. */
    private final class Listener extends JedisPubSub {
        private final Consumer<Envelope> receiver;

        Listener(Consumer<Envelope> receiver) {
            this.receiver = receiver;
        }

        @Override
        public void onSubscribe(String subscribed, int count) {
            lastHeardMillis = System.currentTimeMillis();
            link.up(LinkState.Side.SUBSCRIBER);
        }

        @Override
        public void onPong(String pattern) {
            lastHeardMillis = System.currentTimeMillis();
        }

        @Override
        public void onMessage(String from, String message) {
            lastHeardMillis = System.currentTimeMillis();
            Envelope envelope = EnvelopeCodec.decode(message);
            if (envelope == null || envelope.node().equals(nodeId)
                    || !duplicates.fresh(envelope.node(), EnvelopeCodec.sequence(message))) {
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
    }

    /** PINGs the pub/sub connection; one that stayed silent past the timeout is cut so the subscriber reconnects. */
    private void watch() {
        Jedis current = connection;
        JedisPubSub listener = pubSub;
        if (current == null || !running.getAsBoolean()) {
            return;
        }
        long silent = System.currentTimeMillis() - lastHeardMillis;
        try {
            if (silent >= pingTimeoutMillis) {
                staleReason = "no answer on the subscriber link for " + silent + " ms";
                link.lost(LinkState.Side.SUBSCRIBER);
                current.disconnect();
            } else if (listener != null && listener.isSubscribed()) {
                listener.ping();
            }
        } catch (RuntimeException e) {
            try {
                current.disconnect();
            } catch (RuntimeException ignored) {
                // already broken
            }
        }
    }

    /** Stops the watchdog and unsubscribes; the caller has stopped {@code running} first. */
    void hangUp() {
        watchdog.shutdownNow();
        JedisPubSub listener = pubSub;
        if (listener != null && listener.isSubscribed()) {
            try {
                listener.unsubscribe();
            } catch (RuntimeException ignored) {
                // the link is gone anyway
            }
        }
    }

    /** Waits (up to two seconds) for the thread to end, after {@link #hangUp}. */
    void close() {
        RedisRelay.stop(thread);
    }
}
