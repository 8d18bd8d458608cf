package dev.chorus.relay.redis;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Encoded envelopes waiting for Redis to come back, oldest first: at most {@code capacity} of them,
 * each for at most {@code maxAgeMillis} (an event that old is no longer worth delivering late). What
 * does not fit, or waited too long, is dropped and counted, never blocks the publisher.
 * <p>Threading: the relay's publisher thread only; {@link #size()} may be read from any thread.
 */
final class OutageBuffer {
    private record Held(String message, long since) {
    }

    private final int capacity;
    private final long maxAgeMillis;
    private final LongSupplier clock;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private volatile int size;
    private volatile long dropped;

    /** @param clock milliseconds, monotonic enough for ages */
    OutageBuffer(int capacity, long maxAgeMillis, LongSupplier clock) {
        this.capacity = capacity;
        this.maxAgeMillis = maxAgeMillis;
        this.clock = clock;
    }

    /** Keeps the messages after the ones held, in order; those beyond the capacity are dropped. */
    void addAll(List<String> messages) {
        expire();
        long now = clock.getAsLong();
        for (String message : messages) {
            if (held.size() < capacity) {
                held.addLast(new Held(message, now));
            } else {
                dropped++;
            }
        }
        size = held.size();
    }

    /** Up to {@code max} of the oldest messages still worth relaying, left in place until {@link #remove}. */
    List<String> peek(int max) {
        expire();
        List<String> out = new ArrayList<>(Math.min(max, held.size()));
        for (Held entry : held) {
            if (out.size() == max) {
                break;
            }
            out.add(entry.message());
        }
        return out;
    }

    /** The {@code count} oldest messages reached Redis. */
    void remove(int count) {
        for (int i = 0; i < count && !held.isEmpty(); i++) {
            held.removeFirst();
        }
        size = held.size();
    }

    boolean isEmpty() {
        expire();
        return held.isEmpty();
    }

    int size() {
        return size;
    }

    /** Messages dropped so far, over the capacity or too old. */
    long dropped() {
        return dropped;
    }

    private void expire() {
        long oldest = clock.getAsLong() - maxAgeMillis;
        while (!held.isEmpty() && held.peekFirst().since() < oldest) {
            held.removeFirst();
            dropped++;
        }
        size = held.size();
    }
}
