package dev.chorus.broadcast;

import dev.chorus.app.App;
import dev.chorus.relay.ClusterState;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The HTTP API's per-app rate limits ({@code max_backend_events_per_second}, {@code max_read_requests_per_second}),
 * counted per wall-clock second. When scaling, the second's count is the cluster's (one Redis round trip per
 * request, only for an app whose limit is on); alone, or while the cluster cannot be asked, this node's.
 * An app whose limit is off costs one int comparison: no map, no clock, no store.
 */
public final class BackendRate {
    /** What is counted, and the setting that limits it. */
    public enum Kind {
        EVENTS("max_backend_events_per_second", "events"),
        READS("max_read_requests_per_second", "reads");

        private final String setting;
        private final String key;

        Kind(String setting, String key) {
            this.setting = setting;
            this.key = key;
        }

        /** The setting's name, for the refusal to name it. */
        public String setting() {
            return setting;
        }

        public int limit(App app) {
            return this == EVENTS ? app.limits().maxBackendEventsPerSecond() : app.limits().maxReadRequestsPerSecond();
        }
    }

    private final ClusterState cluster;
    private final LongSupplier clockMillis;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    public BackendRate(ClusterState cluster) {
        this(cluster, System::currentTimeMillis);
    }

    /** @param clockMillis wall-clock milliseconds: nodes must agree on which second it is */
    BackendRate(ClusterState cluster, LongSupplier clockMillis) {
        this.cluster = cluster;
        this.clockMillis = clockMillis;
    }

    /**
     * Counts {@code points} for the app in this second.
     * @return true when they fit under the limit (or the limit is off); false to refuse the request
     */
    public boolean allow(App app, Kind kind, int points) {
        int limit = kind.limit(app);
        if (limit < 0) {
            return true;
        }
        long second = clockMillis.getAsLong() / 1000;
        Optional<Long> total = cluster.rate(app.id(), kind.key, second, points);
        if (total.isPresent()) {
            return total.get() <= limit;
        }
        return windows.computeIfAbsent(app.id() + '\u0000' + kind.key, name -> new Window()).allow(second, points, limit);
    }

    /**
     * One app's count in the current second, in one long (second in the high half, count in the low half)
     * so taking points is a single compare-and-set: no lock on the trigger path.
     */
    static final class Window {
        private final AtomicLong state = new AtomicLong();

        /** Refused points are not counted: the next request in the same second may still fit. */
        boolean allow(long second, int points, int limit) {
            while (true) {
                long current = state.get();
                long count = (current >>> 32) == (second & 0xFFFF_FFFFL) ? current & 0xFFFF_FFFFL : 0;
                long next = count + points;
                if (next > limit) {
                    return false;
                }
                if (state.compareAndSet(current, (second << 32) | next)) {
                    return true;
                }
            }
        }
    }
}
