package dev.chorus.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.connection.InboundLimit.Verdict;
import org.junit.jupiter.api.Test;

/** The token bucket over inbound frames, on a clock the test moves. */
class InboundLimitTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aWholeBurstIsAcceptedAtOnceThenTheNextFrameIsDroppedWithOneWarning() {
        InboundLimit limit = new InboundLimit(10, 50, 0);
        for (int i = 0; i < 50; i++) {
            assertEquals(Verdict.ACCEPT, limit.admit(0), "frame " + i);
        }
        assertEquals(Verdict.DROP_AND_WARN, limit.admit(0));
        assertEquals(Verdict.DROP, limit.admit(1));
        assertEquals(Verdict.DROP, limit.admit(SECOND / 20));
    }

    @Test
    void tokensComeBackAtTheRate() {
        InboundLimit limit = new InboundLimit(10, 5, 0);
        for (int i = 0; i < 5; i++) {
            limit.admit(0);
        }
        assertEquals(Verdict.DROP_AND_WARN, limit.admit(0));
        assertEquals(Verdict.ACCEPT, limit.admit(SECOND / 10), "one frame's worth refilled after 100 ms");
        assertEquals(Verdict.DROP, limit.admit(SECOND / 10));
    }

    @Test
    void atMostOneWarningASecond() {
        InboundLimit limit = new InboundLimit(1, 1, 0);
        limit.admit(0);
        int warnings = 0;
        // 100 frames over 0.99 s, all over the limit (one token a second): one warning only.
        for (int i = 0; i < 100 && warnings < 2; i++) {
            Verdict verdict = limit.admit(i * SECOND / 101);
            if (verdict == Verdict.DROP_AND_WARN) {
                warnings++;
            }
        }
        assertEquals(1, warnings);
    }

    @Test
    void aClientThatDropsMoreThanAWholeBurstIsClosed() {
        InboundLimit limit = new InboundLimit(100, 20, 0);
        for (int i = 0; i < 20; i++) {
            assertEquals(Verdict.ACCEPT, limit.admit(0));
        }
        Verdict last = null;
        int dropped = 0;
        while (dropped < 1_000 && (last = limit.admit(0)) != Verdict.CLOSE) {
            dropped++;
        }
        assertEquals(Verdict.CLOSE, last);
        assertEquals(20, dropped, "a burst's worth of drops is tolerated, the next one closes");
    }

    @Test
    void aClientBackUnderTheLimitIsForgivenItsDrops() {
        InboundLimit limit = new InboundLimit(100, 20, 0);
        for (int round = 0; round < 10; round++) {
            long now = round * SECOND;
            for (int i = 0; i < 20; i++) {
                assertEquals(Verdict.ACCEPT, limit.admit(now), "round " + round);
            }
            for (int i = 0; i < 15; i++) {
                assertEquals(i == 0 ? Verdict.DROP_AND_WARN : Verdict.DROP, limit.admit(now));
            }
        }
    }

    @Test
    void rateZeroMeansNoLimit() {
        InboundLimit limit = new InboundLimit(0, 1, 0);
        for (int i = 0; i < 100_000; i++) {
            assertEquals(Verdict.ACCEPT, limit.admit(0));
        }
    }
}
