package dev.chorus.launcher.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * All the bench's subscribers: several {@link SubscriberPool}s (one selector thread each), opened in
 * parallel up to a number of handshakes in flight, round-robin over source addresses so one machine
 * can hold more connections than one address has ports.
 */
final class Crowd {
    private final List<SubscriberPool> pools = new ArrayList<>();
    private final List<InetAddress> sources;
    private final int concurrency;
    private long next;

    Crowd(String host, int port, String path, String channel, String key, String secret, int threads,
          List<InetAddress> sources, int concurrency, boolean subscribe) throws IOException {
        for (int i = 0; i < Math.max(1, threads); i++) {
            SubscriberPool pool = new SubscriberPool(host, port, path, channel, key, secret, "bench-subscribers-" + i);
            pool.subscribe = subscribe;
            pool.start();
            pools.add(pool);
        }
        this.sources = sources;
        this.concurrency = Math.max(1, concurrency);
    }

    /**
     * Source addresses for {@code --source-addresses}: a count (127.0.0.1, 127.0.0.2, ... for a
     * loopback target) or a comma-separated list; empty means the kernel picks.
     */
    static List<InetAddress> sources(String option, String host) throws IOException {
        List<InetAddress> out = new ArrayList<>();
        if (option == null || option.isBlank()) {
            return out;
        }
        if (option.matches("\\d+")) {
            int count = Integer.parseInt(option);
            if (!InetAddress.getByName(host).isLoopbackAddress()) {
                throw new IllegalArgumentException("--source-addresses N needs a loopback --host; give a list of addresses instead");
            }
            for (int i = 1; i <= count; i++) {
                out.add(InetAddress.getByName("127.0.0." + i));
            }
            return out;
        }
        for (String address : option.split(",")) {
            out.add(InetAddress.getByName(address.trim()));
        }
        return out;
    }

    /** Opens {@code count} more subscribers, never more than the concurrency limit in handshake at once. */
    void open(int count) throws IOException, InterruptedException {
        for (int i = 0; i < count; i++) {
            while (handshaking() >= concurrency) {
                Thread.sleep(0, 200_000);
            }
            SubscriberPool pool = pools.get((int) (next % pools.size()));
            InetSocketAddress local = sources.isEmpty() ? null : new InetSocketAddress(sources.get((int) (next % sources.size())), 0);
            next++;
            pool.open(local);
        }
    }

    /** Waits until every opened subscriber is subscribed or failed. */
    boolean settle(long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (handshaking() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }

    void churn(int count) {
        int each = count / pools.size();
        int rest = count % pools.size();
        for (int i = 0; i < pools.size(); i++) {
            pools.get(i).churn(each + (i < rest ? 1 : 0));
        }
    }

    long handshaking() {
        return pools.stream().mapToLong(SubscriberPool::handshaking).sum();
    }

    long ready() {
        return pools.stream().mapToLong(pool -> pool.ready.get()).sum();
    }

    long failed() {
        return pools.stream().mapToLong(pool -> pool.failed.get()).sum();
    }

    long received() {
        return pools.stream().mapToLong(pool -> pool.received.get()).sum();
    }

    long lastReceiveNanos() {
        return pools.stream().mapToLong(pool -> pool.lastReceiveNanos).max().orElse(0);
    }

    List<String> failures() {
        List<String> out = new ArrayList<>();
        pools.forEach(pool -> out.addAll(pool.failures));
        return out;
    }

    void reset() {
        pools.forEach(SubscriberPool::reset);
    }

    /** Stops every pool; returns the merged latency histogram. */
    Histogram stop() throws InterruptedException {
        Histogram all = new Histogram();
        for (SubscriberPool pool : pools) {
            all.add(pool.stop());
        }
        return all;
    }
}
