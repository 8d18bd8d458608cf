package dev.chorus.relay.redis;

/**
 * How long to wait before the next reconnect: {@code min} after a success, doubling with each failure up
 * to {@code max}. Reconnecting is cheap and an idle Redis does not mind, so the relay's cap is short: the
 * cluster is back in about a second after Redis is.
 * <p>Threading: one thread (each relay loop has its own).
 */
final class Backoff {
    static final long MIN_MILLIS = 100;
    static final long MAX_MILLIS = 1_000;

    private final long min;
    private final long max;
    private long next;

    Backoff(long min, long max) {
        this.min = min;
        this.max = max;
        this.next = min;
    }

    /** The relay's: from {@value #MIN_MILLIS} to {@value #MAX_MILLIS} ms. */
    static Backoff relay() {
        return new Backoff(MIN_MILLIS, MAX_MILLIS);
    }

    /** @return the delay to wait now; the one after it is twice as long, up to the maximum */
    long next() {
        long delay = next;
        next = Math.min(next * 2, max);
        return delay;
    }

    /** A connection worked: the next failure waits the minimum again. */
    void reset() {
        next = min;
    }
}
