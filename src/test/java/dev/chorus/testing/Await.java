package dev.chorus.testing;

import java.time.Duration;

/**
 * Waiting on an observable condition instead of sleeping a guessed time: polls it every few milliseconds
 * and returns as soon as it holds. For "nothing more happened" there is no condition to poll: cause a
 * later event through the same path (a sentinel) and wait for that.
 */
public final class Await {
    /** Long enough for a loaded build machine; a passing test never waits for it. */
    public static final Duration DEFAULT = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 5;

    /** A condition that may do I/O to find out (ask an HTTP API, read a log). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    /** Waits up to {@link #DEFAULT} for the condition; fails naming {@code what} when it never held. */
    public static void until(String what, Condition condition) throws Exception {
        until(what, DEFAULT, condition);
    }

    /** Waits up to {@code timeout} for the condition; fails naming {@code what} when it never held. */
    public static void until(String what, Duration timeout, Condition condition) throws Exception {
        if (!within(timeout, condition)) {
            throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
        }
    }

    /** Waits up to {@code timeout} for the condition: whether it held, for callers that assert with their own message. */
    public static boolean within(Duration timeout, Condition condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                return condition.holds();
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }
}
