package dev.chorus.broadcast;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.relay.ClusterState;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BackendRateTest {
    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    static App app(int events, int reads) {
        App.Limits d = App.Limits.DEFAULTS;
        return App.builder("1", "k", "s").name("one").limits(new App.Limits(d.maxChannelsPerConnection(), d.inboundRate(),
                d.inboundBurst(), d.maxChannels(), d.maxCacheEntries(), d.maxCachedBytes(), d.maxPresenceUserInfoSize(),
                events, reads)).build();
    }

    @Test
    void aSecondTakesPointsUpToTheLimitAndRefusesTheRest() {
        BackendRate rate = new BackendRate(ClusterState.NONE, now::get);
        App app = app(5, -1);
        for (int i = 0; i < 5; i++) {
            assertTrue(rate.allow(app, BackendRate.Kind.EVENTS, 1), "event " + i);
        }
        assertFalse(rate.allow(app, BackendRate.Kind.EVENTS, 1));
    }

    @Test
    void theNextSecondStartsFromZero() {
        BackendRate rate = new BackendRate(ClusterState.NONE, now::get);
        App app = app(3, -1);
        assertTrue(rate.allow(app, BackendRate.Kind.EVENTS, 3));
        assertFalse(rate.allow(app, BackendRate.Kind.EVENTS, 1));
        now.addAndGet(1_000);
        assertTrue(rate.allow(app, BackendRate.Kind.EVENTS, 3));
    }

    @Test
    void aRefusedRequestDoesNotUseUpTheSecond() {
        BackendRate rate = new BackendRate(ClusterState.NONE, now::get);
        App app = app(5, -1);
        assertTrue(rate.allow(app, BackendRate.Kind.EVENTS, 3));
        assertFalse(rate.allow(app, BackendRate.Kind.EVENTS, 3), "a batch over what is left");
        assertTrue(rate.allow(app, BackendRate.Kind.EVENTS, 2), "what is left still fits");
    }

    @Test
    void eventsAndReadsAreCountedApart() {
        BackendRate rate = new BackendRate(ClusterState.NONE, now::get);
        App app = app(1, 1);
        assertTrue(rate.allow(app, BackendRate.Kind.EVENTS, 1));
        assertTrue(rate.allow(app, BackendRate.Kind.READS, 1));
        assertFalse(rate.allow(app, BackendRate.Kind.READS, 1));
    }

    @Test
    void limitsAreOffByDefaultAndThenNeverAskTheClusterOrTheClock() {
        ClusterState failing = new ClusterState() {
            @Override
            public Optional<Long> rate(String app, String kind, long epochSecond, int points) {
                throw new AssertionError("asked the cluster for a limit that is off");
            }
        };
        BackendRate rate = new BackendRate(failing, () -> {
            throw new AssertionError("read the clock for a limit that is off");
        });
        App app = app(App.Limits.DEFAULTS.maxBackendEventsPerSecond(), App.Limits.DEFAULTS.maxReadRequestsPerSecond());
        for (int i = 0; i < 10_000; i++) {
            assertTrue(rate.allow(app, BackendRate.Kind.EVENTS, 100));
            assertTrue(rate.allow(app, BackendRate.Kind.READS, 1));
        }
    }

    @Test
    void whenScalingTheClusterCountDecides() {
        AtomicLong shared = new AtomicLong(10);
        ClusterState cluster = new ClusterState() {
            @Override
            public Optional<Long> rate(String app, String kind, long epochSecond, int points) {
                return Optional.of(shared.addAndGet(points));
            }
        };
        BackendRate rate = new BackendRate(cluster, now::get);
        App app = app(12, -1);
        assertTrue(rate.allow(app, BackendRate.Kind.EVENTS, 2), "10 counted by other nodes, 12 now");
        assertFalse(rate.allow(app, BackendRate.Kind.EVENTS, 1));
    }
}
