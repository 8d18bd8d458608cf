package dev.chorus.relay.redis;

import dev.chorus.app.Scaling;
import dev.chorus.relay.Envelope;
import dev.chorus.relay.EnvelopeCodec;
import dev.chorus.relay.Relay;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Relay} over Redis pub/sub with Jedis: a {@link Publisher} thread with its own connection (one
 * thread keeps this node's envelopes in order) and a {@link Subscriber} thread on the deployment's channel;
 * {@link LinkState} says whether both are up. Either link may drop at any time: the node keeps serving its
 * own sockets, logs the outage once, reconnects with backoff and resumes without a restart.
 * <p>No envelope is lost to a short outage: what could not be published waits in an {@link OutageBuffer}
 * and goes out, in order and before anything newer, once a fresh connection has answered and the nodes
 * listening before have resubscribed (see {@link Publisher}). Each envelope carries the publisher's sequence
 * number: a retried publish that had in fact reached Redis is dropped by the receivers, so delivery stays at
 * most once.
 * <p>Liveness: an idle publisher link is checked every {@code ping_interval}; the subscriber link is PINGed and
 * replaced when nothing came back for {@code ping_timeout}, so a half-open connection (Redis paused, a dropped
 * NAT entry) is noticed in seconds, not at the next publish or when the OS gives up.
 * <p>Threading: {@link #publish} and the getters are safe from any thread and never block.
 */
public final class RedisRelay implements Relay {
    private static final Logger LOG = LoggerFactory.getLogger(RedisRelay.class);
    private static final int OUTBOX = 65_536;

    private final Scaling scaling;
    private final String nodeId;
    private final Outbox outbox = new Outbox(OUTBOX, Publisher.MAX_BATCH);
    private final OutageBuffer held;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final LinkState link;
    private final Publisher publisher;
    private final Subscriber subscriber;

    public RedisRelay(Scaling scaling, String nodeId) {
        this.scaling = scaling;
        this.nodeId = nodeId;
        this.held = new OutageBuffer(scaling.link().outageBuffer(), scaling.link().outageBufferAge().toMillis(),
                System::currentTimeMillis);
        this.link = new LinkState(scaling, held::size, this::dropped, System::currentTimeMillis);
        RedisEndpoint endpoint = new RedisEndpoint(scaling);
        this.publisher = new Publisher(scaling, endpoint, nodeId, outbox, held, this::dropped, link, running::get);
        this.subscriber = new Subscriber(scaling, endpoint, nodeId, link, running::get);
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public boolean connected() {
        return link.connected();
    }

    /** Publish-to-receive time of the last envelope from another node, in milliseconds. */
    public long lastLagMillis() {
        return subscriber.lastLagMillis();
    }

    /** Runs, on a relay thread, each time the link comes back after an outage and when it first comes up; must not block. */
    public void onReconnect(Runnable task) {
        link.onReconnect(task);
    }

    /** Envelopes that could not be relayed (outbox full, over the outage buffer's bound or too old in it) since start. */
    public long dropped() {
        return outbox.refused() + held.dropped();
    }

    /** Envelopes waiting in the outage buffer now. */
    public int buffered() {
        return held.size();
    }

    @Override
    public void publish(Envelope envelope) {
        outbox.offer(EnvelopeCodec.encode(envelope));
    }

    @Override
    public void start(Consumer<Envelope> receiver) {
        publisher.start();
        subscriber.start(receiver);
        LOG.info("Scaling over Redis at " + scaling.describe() + ", channel '" + scaling.prefix()
                + "', node " + nodeId);
    }

    @Override
    public void close() {
        running.set(false);
        subscriber.hangUp();
        publisher.close();
        subscriber.close();
    }

    /** Interrupts a relay thread and waits up to two seconds for it to end. */
    static void stop(Thread thread) {
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
