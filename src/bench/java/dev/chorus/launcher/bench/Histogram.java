package dev.chorus.launcher.bench;

/**
 * Latency histogram in microseconds: exact below 1 ms, then buckets of about 1 % width, so recording
 * is one array increment and never allocates. Single-threaded.
 */
final class Histogram {
    private static final int LINEAR = 1_000;
    private static final int LOG_BUCKETS = 1_400;
    private final long[] counts = new long[LINEAR + LOG_BUCKETS];
    private long total;
    private long max;

    void record(long micros) {
        long value = Math.max(0, micros);
        max = Math.max(max, value);
        int index = value < LINEAR ? (int) value
                : Math.min(counts.length - 1, LINEAR + (int) (Math.log((double) value / LINEAR) / Math.log(1.01)));
        counts[index]++;
        total++;
    }

    /** Adds another histogram's counts to this one. */
    void add(Histogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    long total() {
        return total;
    }

    long max() {
        return max;
    }

    /** Upper bound of the bucket holding the given percentile, in microseconds. */
    long percentile(double percent) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(total * percent / 100.0);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return i < LINEAR ? i : (long) (LINEAR * Math.pow(1.01, i - LINEAR + 1));
            }
        }
        return max;
    }
}
