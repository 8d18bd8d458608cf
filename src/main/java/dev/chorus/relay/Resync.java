package dev.chorus.relay;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Re-reports this node's part of the {@link ClusterState} until an attempt succeeds. Requests while an
 * attempt runs are not lost: one more attempt follows it (the part may have changed meanwhile), and
 * requests while one is pending fold into it. A failed attempt is retried after a backoff doubling from
 * {@code minBackoffMillis} to {@code maxBackoffMillis}, with no limit on the number of attempts: a
 * node whose part is missing from the store is invisible to the cluster until one succeeds.
 * <p>Threading: {@link #request} may be called from any thread and never blocks; attempts run one at a
 * time on {@code executor}'s thread.
 */
public final class Resync {
    private final Runnable attempt;
    private final ScheduledExecutorService executor;
    private final long minBackoffMillis;
    private final long maxBackoffMillis;
    private final Consumer<String> log;
    private long backoff;
    private boolean running;
    private boolean wanted;
    private ScheduledFuture<?> scheduled;
    private int failures;

    /**
     * @param attempt re-reports the whole part; throws when the store did not take all of it
     * @param log     one line when a series of attempts starts failing and one when it succeeds again
     */
    public Resync(Runnable attempt, ScheduledExecutorService executor, long minBackoffMillis, long maxBackoffMillis,
                  Consumer<String> log) {
        this.attempt = attempt;
        this.executor = executor;
        this.minBackoffMillis = minBackoffMillis;
        this.maxBackoffMillis = maxBackoffMillis;
        this.log = log;
        this.backoff = minBackoffMillis;
    }

    /**
     * This node's part may be missing or wrong in the store: re-report it now, after the running attempt,
     * or when the backoff after a failed one ends (a burst of failed writes during an outage is one retry).
     */
    public synchronized void request() {
        wanted = true;
        if (running || scheduled != null) {
            return;
        }
        schedule(0);
    }

    /** The store is reachable again: re-report now, without sitting out the backoff of a failed attempt. */
    public synchronized void requestNow() {
        wanted = true;
        if (running) {
            return;
        }
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        backoff = minBackoffMillis;
        schedule(0);
    }

    private void schedule(long delayMillis) {
        try {
            scheduled = executor.schedule(this::run, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // The node is shutting down: its part is being removed, not re-reported.
            scheduled = null;
        }
    }

    private void run() {
        synchronized (this) {
            if (running || !wanted) {
                return;
            }
            running = true;
            wanted = false;
            scheduled = null;
        }
        RuntimeException failure = null;
        try {
            attempt.run();
        } catch (RuntimeException e) {
            failure = e;
        }
        synchronized (this) {
            running = false;
            if (failure == null) {
                if (failures > 0) {
                    log.accept("Re-reported this node to Redis after " + (failures + 1) + " attempts");
                }
                failures = 0;
                backoff = minBackoffMillis;
                if (wanted) {
                    schedule(0);
                }
                return;
            }
            if (failures++ == 0) {
                log.accept("Re-reporting this node to Redis failed (" + failure.getMessage() + "); retrying until it succeeds");
            }
            wanted = true;
            schedule(backoff);
            backoff = Math.min(backoff * 2, maxBackoffMillis);
        }
    }

    /** True while an attempt is due or running: this node's part is not known to be in the store. */
    public synchronized boolean pending() {
        return wanted || running;
    }
}
