package dev.chorus.connection;

/**
 * The inbound frame-rate limit of one connection: a token bucket over every frame the client sends
 * (text frames of any event, pings, pongs), refilled at {@code rate} per second up to {@code burst}.
 * The burst is large on purpose: a reconnecting client re-subscribes to all its channels at once.
 * <p>Kept as one "theoretical arrival time" (GCRA, the token bucket's equivalent without a token
 * counter to refill): a frame is admitted while the client is less than a burst ahead of its rate.
 * No allocation, no lock: frames of one connection arrive one at a time (the container guarantees
 * it), so only that thread calls {@link #admit}.
 * <p>What happens over the limit is decided here too, so the answer never amplifies the flood: the
 * frame is dropped, at most one error a second is answered, and a client that dropped more than a
 * whole burst without ever letting its bucket fill again is closed.
 */
public final class InboundLimit {
    /** What to do with one inbound frame. */
    public enum Verdict {
        /** Handle it. */
        ACCEPT,
        /** Drop it silently: an error was answered less than a second ago. */
        DROP,
        /** Drop it and answer one rate-limit error. */
        DROP_AND_WARN,
        /** Drop it and close the connection: it keeps going over the limit. */
        CLOSE
    }

    private static final long SECOND = 1_000_000_000L;

    /** Nanoseconds one frame costs; 0 when there is no limit. */
    private final long intervalNanos;
    /** How far ahead of its rate a client may run: the burst, less the frame being admitted. */
    private final long toleranceNanos;
    private final int burst;
    /** When the client will be back at its rate; at or before now means the bucket is full. */
    private long theoreticalArrivalNanos;
    /** Frames dropped since the bucket was last full. */
    private int dropped;
    private long lastWarningNanos;
    private boolean warned;

    /**
     * @param rate  frames per second, {@code 0} for no limit
     * @param burst frames a client may send at once (at least 1)
     */
    public InboundLimit(int rate, int burst, long nowNanos) {
        this.intervalNanos = rate <= 0 ? 0 : Math.max(1, SECOND / rate);
        this.burst = Math.max(1, burst);
        this.toleranceNanos = intervalNanos * (this.burst - 1L);
        this.theoreticalArrivalNanos = nowNanos;
    }

    public Verdict admit(long nowNanos) {
        if (intervalNanos == 0) {
            return Verdict.ACCEPT;
        }
        long arrival = theoreticalArrivalNanos;
        if (arrival - nowNanos <= 0) {
            // The bucket is full again: whatever was dropped before is forgiven.
            arrival = nowNanos;
            dropped = 0;
        }
        if (arrival - nowNanos <= toleranceNanos) {
            theoreticalArrivalNanos = arrival + intervalNanos;
            return Verdict.ACCEPT;
        }
        theoreticalArrivalNanos = arrival;
        if (++dropped > burst) {
            return Verdict.CLOSE;
        }
        if (!warned || nowNanos - lastWarningNanos >= SECOND) {
            warned = true;
            lastWarningNanos = nowNanos;
            return Verdict.DROP_AND_WARN;
        }
        return Verdict.DROP;
    }
}
