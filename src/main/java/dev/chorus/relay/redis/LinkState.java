package dev.chorus.relay.redis;

import dev.chorus.app.Scaling;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the relay's two links (publisher and subscriber) are up, and the outage they make together: the
 * relay is connected only while both are. An outage is logged once when it starts, however many attempts
 * fail, and once when both links are back; the reconnect task runs then, and the first time both are up
 * (whatever the node did before went unreported too).
 * <p>Threading: any thread; transitions to up are serialised, so the reconnect task runs once per outage.
 */
final class LinkState {
    // Under the relay's name, as before the split: operators filter on it.
    private static final Logger LOG = LoggerFactory.getLogger(RedisRelay.class);

    enum Side {
        PUBLISHER, SUBSCRIBER;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Scaling scaling;
    private final IntSupplier held;
    private final LongSupplier dropped;
    private final LongSupplier clock;
    private final AtomicBoolean publisherUp = new AtomicBoolean();
    private final AtomicBoolean subscriberUp = new AtomicBoolean();
    private final AtomicBoolean outage = new AtomicBoolean();
    /** Until the first time both links are up, whatever the node did went unreported: reconnect then too. */
    private final AtomicBoolean everUp = new AtomicBoolean();
    private final AtomicLong outageStartMillis = new AtomicLong();
    private volatile Runnable onReconnect = () -> { };

    /**
     * @param held    envelopes waiting for the link now, for the log line when it is back
     * @param dropped envelopes not relayed since start, for the same line
     */
    LinkState(Scaling scaling, IntSupplier held, LongSupplier dropped, LongSupplier clock) {
        this.scaling = scaling;
        this.held = held;
        this.dropped = dropped;
        this.clock = clock;
    }

    /** Runs each time both links are back after an outage, and the first time they are up; must not block. */
    void onReconnect(Runnable task) {
        this.onReconnect = task;
    }

    boolean connected() {
        return publisherUp.get() && subscriberUp.get();
    }

    /** One link answered; when that makes both up after an outage (or for the first time), runs the reconnect task. */
    synchronized void up(Side side) {
        flag(side).set(true);
        if (!connected()) {
            return;
        }
        boolean first = everUp.compareAndSet(false, true);
        boolean restored = outage.compareAndSet(true, false);
        if (restored) {
            long seconds = (clock.getAsLong() - outageStartMillis.get()) / 1000;
            LOG.warn("Redis link restored after " + seconds + " s; relaying again (" + held.getAsInt()
                    + " envelopes held to relay, " + dropped.getAsLong() + " not relayed so far)");
        }
        if (first || restored) {
            try {
                onReconnect.run();
            } catch (RuntimeException e) {
                LOG.error("Reacting to the restored Redis link failed", e);
            }
        }
    }

    /**
     * One link failed; the first failure of an outage is logged, the rest are not.
     * @return true when this failure started an outage
     */
    boolean down(Side side, RuntimeException cause) {
        flag(side).set(false);
        if (!outage.compareAndSet(false, true)) {
            return false;
        }
        outageStartMillis.set(clock.getAsLong());
        LOG.warn("Redis at " + scaling.describe() + " unreachable (" + side.label() + ": "
                + cause.getMessage() + "); serving this node's connections only, holding up to "
                + scaling.link().outageBuffer() + " envelopes for " + scaling.link().outageBufferAge().toSeconds()
                + " s, reconnecting with backoff");
        return true;
    }

    /** One link is going away without being an outage yet (being replaced, or the relay stopping): just not up. */
    void lost(Side side) {
        flag(side).set(false);
    }

    private AtomicBoolean flag(Side side) {
        return side == Side.PUBLISHER ? publisherUp : subscriberUp;
    }
}
