package dev.chorus.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResyncTest {
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final List<String> log = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void aFailingAttemptIsRetriedWithBackoffUntilOneSucceeds() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        Resync resync = new Resync(() -> {
            if (attempts.incrementAndGet() < 5) {
                throw new IllegalStateException("Unexpected end of stream.");
            }
            done.countDown();
        }, executor, 1, 8, log::add);
        resync.request();
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(5, attempts.get());
        awaitIdle(resync);
        assertEquals(List.of("Re-reporting this node to Redis failed (Unexpected end of stream.); retrying until it succeeds",
                "Re-reported this node to Redis after 5 attempts"), log, "one line when it starts failing, one when it recovers");
    }

    @Test
    void aRequestDuringAnAttemptRunsOneMoreAttemptAfterIt() throws Exception {
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger attempts = new AtomicInteger();
        Resync resync = new Resync(() -> {
            if (attempts.incrementAndGet() == 1) {
                inFirst.countDown();
                await(release);
            }
        }, executor, 1, 8, log::add);
        resync.request();
        assertTrue(inFirst.await(5, TimeUnit.SECONDS));
        resync.request();
        resync.request();
        release.countDown();
        awaitIdle(resync);
        assertEquals(2, attempts.get(), "the part may have changed during the first: once more, folded");
    }

    @Test
    void anUrgentRequestDuringTheBackoffRunsAtOnceAndAnOrdinaryOneWaitsForIt() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch second = new CountDownLatch(1);
        Resync resync = new Resync(() -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("down");
            }
            second.countDown();
        }, executor, 60_000, 60_000, log::add);
        resync.request();
        Await.within(Duration.ofSeconds(5), () -> attempts.get() == 1 && log.size() == 1);
        // A failed write during the outage: folded into the retry a minute away, no attempt now.
        resync.request();
        // The link is back: now. Had the ordinary request run an attempt, it would have come first (one thread, in order).
        resync.requestNow();
        assertTrue(second.await(5, TimeUnit.SECONDS), "not after the minute of backoff");
        awaitIdle(resync);
        assertEquals(2, attempts.get());
    }

    private static void awaitIdle(Resync resync) throws Exception {
        Await.within(Duration.ofSeconds(5), () -> !resync.pending());
        assertFalse(resync.pending());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
