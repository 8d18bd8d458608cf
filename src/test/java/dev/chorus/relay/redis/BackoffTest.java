package dev.chorus.relay.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void eachFailureWaitsTwiceAsLongUpToTheCap() {
        Backoff backoff = new Backoff(100, 1_000);
        assertEquals(100, backoff.next());
        assertEquals(200, backoff.next());
        assertEquals(400, backoff.next());
        assertEquals(800, backoff.next());
        assertEquals(1_000, backoff.next());
        assertEquals(1_000, backoff.next());
    }

    @Test
    void aSuccessStartsTheNextSeriesOfFailuresFromTheMinimum() {
        Backoff backoff = new Backoff(100, 1_000);
        backoff.next();
        backoff.next();
        backoff.reset();
        assertEquals(100, backoff.next());
    }

    @Test
    void theRelayReconnectsWithinASecondAtMost() {
        Backoff backoff = Backoff.relay();
        long longest = 0;
        for (int i = 0; i < 20; i++) {
            longest = Math.max(longest, backoff.next());
        }
        assertEquals(Backoff.MIN_MILLIS, Backoff.relay().next());
        assertEquals(Backoff.MAX_MILLIS, longest);
    }
}
