package dev.chorus.launcher.bench;

import dev.chorus.protocol.Signer;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code chorus bench}: a fan-out load generator for any Pusher server. N subscribers on one private
 * channel, one publisher sending timestamped client events at a fixed rate; prints deliveries per
 * second, latency percentiles, and (when it knows the server's PID) server CPU per delivery, RSS and
 * heap per connection. Without {@code --port} it starts a Chorus server of its own to measure.
 */
public final class Bench {
    private final Map<String, String> options;
    private final PrintStream out;

    public Bench(Map<String, String> options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    private String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    private int intOption(String name, int fallback) {
        try {
            return Integer.parseInt(option(name, String.valueOf(fallback)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer");
        }
    }

    public int run() throws Exception {
        int subscribers = intOption("subscribers", 1_000);
        int rate = intOption("rate", 100);
        int seconds = intOption("duration", 10);
        int payload = intOption("payload", 100);
        String host = option("host", "127.0.0.1");
        String key = option("key", "bench-key");
        String secret = option("secret", "bench-secret");
        String path = option("path", "");
        String channel = option("channel", "private-bench");
        Process spawned = null;
        int port;
        long pid;
        if (options.containsKey("port")) {
            port = intOption("port", 8080);
            pid = Long.parseLong(option("pid", "-1"));
        } else {
            port = freePort();
            spawned = spawnServer(port, key, secret);
            pid = spawned.pid();
        }
        try {
            String scenario = option("scenario", "fanout");
            if (scenario.equals("trigger")) {
                return measureTriggers(host, port, path, option("app-id", "1"), key, secret, channel, subscribers, seconds,
                        intOption("connections", 4), pid);
            }
            if (!List.of("fanout", "connect", "idle", "soak").contains(scenario)) {
                throw new IllegalArgumentException("--scenario must be fanout, connect, idle, soak or trigger");
            }
            return measure(host, port, path, key, secret, channel, subscribers, rate, seconds, payload, pid);
        } finally {
            if (spawned != null) {
                spawned.destroy();
                spawned.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    private Crowd crowd(String host, int port, String path, String channel, String key, String secret) throws IOException {
        return new Crowd(host, port, path, channel, key, secret, intOption("client-threads", 1),
                Crowd.sources(option("source-addresses", ""), host), intOption("concurrency", 200),
                !option("subscribe", "yes").equals("no"));
    }

    private int measure(String host, int port, String path, String key, String secret, String channel, int subscribers,
                        int rate, int seconds, int payload, long pid) throws Exception {
        String scenario = option("scenario", "fanout");
        switch (scenario) {
            case "connect" -> out.printf("Chorus bench: connect, %d subscribed connections, server %s:%d%s%n", subscribers,
                    host, port, pid > 0 ? " (pid " + pid + ")" : "");
            case "idle" -> out.printf("Chorus bench: idle memory, %d subscribed connections held %d s, server %s:%d%s%n",
                    subscribers, seconds, host, port, pid > 0 ? " (pid " + pid + ")" : "");
            case "soak" -> out.printf("Chorus bench: soak, %d subscribers, %d events/s, %d reconnects/s for %d s, server %s:%d%s%n",
                    subscribers, rate, intOption("churn", Math.max(1, subscribers / 100)), seconds, host, port,
                    pid > 0 ? " (pid " + pid + ")" : "");
            default -> out.printf("Chorus bench: fan-out, %d subscribers x 1 channel, %d events/s for %d s, payload %d B, server %s:%d%s%n",
                    subscribers, rate, seconds, payload, host, port, pid > 0 ? " (pid " + pid + ")" : "");
        }
        int warmConnections = intOption("warmup-connections", 0);
        if (warmConnections > 0) {
            // Handshakes of a long-running server (and of this bench) are JIT-compiled code; a fresh JVM's are not.
            // In rounds of at most 10,000, so that a warm-up of any size fits the descriptor limit.
            long warmed = 0;
            long warmFailed = 0;
            for (int left = warmConnections; left > 0; left -= 10_000) {
                Crowd warm = crowd(host, port, path, channel, key, secret);
                warm.open(Math.min(left, 10_000));
                warm.settle(60);
                warmed += warm.ready();
                warmFailed += warm.failed();
                warm.stop();
                awaitIdle(pid);
            }
            out.printf("  warm-up: %d connections opened and closed (failed %d)%n", warmed, warmFailed);
        }
        long heapBefore = heapUsedAfterGc(pid);
        long rssBefore = rss(pid);

        Crowd pool = crowd(host, port, path, channel, key, secret);
        long connectCpu = cpuNanos(pid);
        long connectBenchCpu = benchCpu();
        long connectStart = System.nanoTime();
        pool.open(subscribers);
        pool.settle(60);
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        out.printf("  %s %d (failed %d) in %.2f s: %.0f connections/s%n",
                option("subscribe", "yes").equals("no") ? "established" : "subscribed", pool.ready(), pool.failed(),
                connectSeconds, pool.ready() / connectSeconds);
        if (connectCpu >= 0 && pool.ready() > 0) {
            out.printf("  server CPU per connection (handshake + subscribe): %.0f us; bench CPU %.0f us%n",
                    (cpuNanos(pid) - connectCpu) / 1e3 / pool.ready(), (benchCpu() - connectBenchCpu) / 1e3 / pool.ready());
        }
        if (!pool.failures().isEmpty()) {
            out.println("  first failures: " + pool.failures());
        }
        if (pool.ready() == 0) {
            out.println("  no subscriber got through; is the app's key/secret right?");
            return 1;
        }
        Thread.sleep(500); // let the server's handshake garbage become garbage
        long heapAfter = heapUsedAfterGc(pid);
        long rssAfter = rss(pid);
        printMemory(pool.ready(), heapBefore, heapAfter, rssBefore, rssAfter);
        if (scenario.equals("connect")) {
            // Connections and memory only: the figures above are the result.
            pool.stop();
            return pool.failed() == 0 ? 0 : 3;
        }
        if (scenario.equals("idle")) {
            // Held idle through pings: memory must not creep while nothing happens.
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            long heapLater = heapUsedAfterGc(pid);
            long rssLater = rss(pid);
            out.printf("  after %d s idle: %d still subscribed (failed %d)%n", seconds, pool.ready(), pool.failed());
            printMemory(pool.ready(), heapBefore, heapLater, rssBefore, rssLater);
            pool.stop();
            return pool.failed() == 0 ? 0 : 3;
        }
        if (scenario.equals("soak")) {
            return soak(pool, host, port, path, key, secret, channel, subscribers, rate, seconds, payload, pid);
        }

        // --publish-port: publish on another node of a cluster, to measure relayed delivery.
        SocketChannel publisher = openPublisher(host, intOption("publish-port", port), path, key, secret, channel);
        String pad = "x".repeat(Math.max(0, payload - 40));
        int warmup = intOption("warmup", 5);
        if (warmup > 0) {
            // The JIT compiles the hot path first; measuring a cold server measures the compiler.
            long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
            long sent = 0;
            long begin = System.nanoTime();
            long every = 1_000_000_000L / Math.max(1, rate);
            while (System.nanoTime() < warmupEnd) {
                long due = begin + sent * every;
                while (System.nanoTime() < due) {
                    Thread.sleep(0, 100_000);
                }
                SubscriberPool.send(publisher, 1, ("{\"event\":\"client-warmup\",\"channel\":\"" + channel
                        + "\",\"data\":{\"n\":" + sent++ + ",\"pad\":\"" + pad + "\"}}").getBytes(StandardCharsets.UTF_8));
            }
            long expectedWarm = sent * pool.ready();
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pool.received() < expectedWarm && System.nanoTime() < settle) {
                Thread.sleep(10);
            }
            out.printf("  warm-up: %d events over %d s%n", sent, warmup);
            pool.reset();
            Thread.sleep(200);
        }
        long total = (long) rate * seconds;
        long cpuBefore = cpuNanos(pid);
        long benchCpuBefore = benchCpu();
        long start = System.nanoTime();
        long interval = 1_000_000_000L / Math.max(1, rate);
        for (long n = 0; n < total; n++) {
            long due = start + n * interval;
            long now;
            while ((now = System.nanoTime()) < due) {
                if (due - now > 200_000) {
                    Thread.sleep(0, 100_000);
                } else {
                    Thread.onSpinWait();
                }
            }
            String frame = "{\"event\":\"client-bench\",\"channel\":\"" + channel + "\",\"data\":{\"t\":" + System.nanoTime()
                    + ",\"n\":" + n + ",\"pad\":\"" + pad + "\"}}";
            SubscriberPool.send(publisher, 1, frame.getBytes(StandardCharsets.UTF_8));
        }
        long sendEnd = System.nanoTime();
        long expected = total * pool.ready();
        long quietSince = System.nanoTime();
        long lastCount = -1;
        while (pool.received() < expected) {
            long count = pool.received();
            if (count != lastCount) {
                lastCount = count;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(5)) {
                break;
            }
            Thread.sleep(10);
        }
        long cpuAfter = cpuNanos(pid);
        long benchCpuAfter = benchCpu();
        Histogram latency = pool.stop();
        publisher.close();
        long delivered = pool.received();
        double elapsed = (Math.max(pool.lastReceiveNanos(), sendEnd) - start) / 1e9;
        out.printf("  sent %d events in %.2f s; deliveries %d of %d (%d missing)%n", total, (sendEnd - start) / 1e9,
                delivered, expected, expected - delivered);
        out.printf("  deliveries/s: %.0f%n", delivered / elapsed);
        out.printf("  latency: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n", latency.percentile(50) / 1000.0,
                latency.percentile(99) / 1000.0, latency.percentile(99.9) / 1000.0, latency.max() / 1000.0);
        if (cpuBefore >= 0 && cpuAfter >= 0 && delivered > 0) {
            double cpuSeconds = (cpuAfter - cpuBefore) / 1e9;
            out.printf("  server CPU: %.2f s = %.2f us per delivery (%.0f %% of one core)%n", cpuSeconds,
                    cpuSeconds * 1e6 / delivered, 100 * cpuSeconds / elapsed);
        }
        double benchSeconds = (benchCpuAfter - benchCpuBefore) / 1e9;
        out.printf("  bench CPU: %.2f s = %.2f us per delivery%n", benchSeconds, delivered == 0 ? 0 : benchSeconds * 1e6 / delivered);
        return delivered == expected ? 0 : 3;
    }

    /**
     * Signed HTTP triggers as fast as {@code connections} keep-alive clients can send them, to a channel
     * with {@code subscribers} subscribers: triggers per second, request latency, server CPU per trigger.
     */
    private int measureTriggers(String host, int port, String path, String appId, String key, String secret,
                                String channel, int subscribers, int seconds, int connections, long pid) throws Exception {
        out.printf("Chorus bench: signed HTTP triggers, %d keep-alive connections, %d subscribers, %d s, server %s:%d%s%n",
                connections, subscribers, seconds, host, port, pid > 0 ? " (pid " + pid + ")" : "");
        Crowd pool = crowd(host, port, path, channel, key, secret);
        pool.open(subscribers);
        pool.settle(60);
        out.printf("  subscribed %d (failed %d)%n", pool.ready(), pool.failed());
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong reconnects = new java.util.concurrent.atomic.AtomicLong();
        Histogram[] latencies = new Histogram[connections];
        long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(intOption("warmup", 5));
        Thread[] workers = new Thread[connections];
        long end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
        for (int w = 0; w < connections; w++) {
            Histogram histogram = new Histogram();
            latencies[w] = histogram;
            workers[w] = new Thread(() -> {
                try (TriggerClient client = new TriggerClient(host, port, path, appId, key, secret)) {
                    while (System.nanoTime() < end) {
                        String body = "{\"name\":\"bench\",\"channel\":\"" + channel + "\",\"data\":\"{\\\"t\\\":"
                                + System.nanoTime() + "}\"}";
                        long start = System.nanoTime();
                        if (client.trigger(body) != 200) {
                            failures.incrementAndGet();
                        }
                        long now = System.nanoTime();
                        if (now > warmupEnd) {
                            histogram.record((now - start) / 1_000);
                            sent.incrementAndGet();
                        }
                    }
                    reconnects.addAndGet(client.reconnects);
                } catch (IOException | RuntimeException e) {
                    failures.incrementAndGet();
                    out.println("  trigger connection failed: " + e);
                }
            }, "bench-trigger-" + w);
            workers[w].start();
        }
        while (System.nanoTime() < warmupEnd) {
            Thread.sleep(5);
        }
        long cpuBefore = cpuNanos(pid);
        long benchCpuBefore = benchCpu();
        long receivedBefore = pool.received();
        for (Thread worker : workers) {
            worker.join();
        }
        long cpuAfter = cpuNanos(pid);
        long benchCpuAfter = benchCpu();
        Thread.sleep(500);
        long delivered = pool.received() - receivedBefore;
        pool.stop();
        Histogram all = new Histogram();
        long total = 0;
        for (Histogram histogram : latencies) {
            total += histogram.total();
        }
        out.printf("  triggers: %d in %d s = %.0f/s (%d failed after warm-up)%n", sent.get(), seconds,
                sent.get() / (double) seconds, failures.get());
        double p50 = 0;
        double p99 = 0;
        for (Histogram histogram : latencies) {
            p50 = Math.max(p50, histogram.percentile(50) / 1000.0);
            p99 = Math.max(p99, histogram.percentile(99) / 1000.0);
        }
        if (reconnects.get() > 0) {
            out.printf("  the server closed the connection after %d answers: not keep-alive, each request paid a connect%n",
                    reconnects.get());
        }
        out.printf("  request latency (worst connection): p50 %.2f ms, p99 %.2f ms%n", p50, p99);
        if (subscribers > 0) {
            out.printf("  deliveries: %d = %.0f/s%n", delivered, delivered / (double) seconds);
        }
        if (cpuBefore >= 0 && cpuAfter >= 0 && sent.get() > 0) {
            double cpuSeconds = (cpuAfter - cpuBefore) / 1e9;
            out.printf("  server CPU: %.2f s = %.1f us per trigger (%.0f %% of one core)%n", cpuSeconds,
                    cpuSeconds * 1e6 / sent.get(), 100 * cpuSeconds / seconds);
        }
        out.printf("  bench CPU: %.2f s%n", (benchCpuAfter - benchCpuBefore) / 1e9);
        return failures.get() == 0 ? 0 : 3;
    }

    private void printMemory(long connections, long heapBefore, long heapAfter, long rssBefore, long rssAfter) {
        if (connections <= 0) {
            return;
        }
        if (heapBefore >= 0 && heapAfter >= 0) {
            out.printf("  heap per subscribed connection: %.1f KB (heap after full GC %.1f MB -> %.1f MB)%n",
                    (heapAfter - heapBefore) / 1024.0 / connections, heapBefore / 1048576.0, heapAfter / 1048576.0);
        }
        if (rssBefore >= 0 && rssAfter >= 0) {
            out.printf("  RSS per subscribed connection: %.1f KB (RSS %.1f MB -> %.1f MB)%n",
                    (rssAfter - rssBefore) / 1024.0 / connections, rssBefore / 1048576.0, rssAfter / 1048576.0);
        }
    }

    /**
     * Long run with churn: events at {@code rate}, {@code --churn} subscribers closed and replaced every
     * second; every {@code --sample} seconds one line with deliveries, subscribers, server RSS and heap
     * after a full GC, so growth shows as a trend. Fails when memory keeps growing past the first sample.
     */
    private int soak(Crowd pool, String host, int port, String path, String key, String secret, String channel,
                     int subscribers, int rate, int seconds, int payload, long pid) throws Exception {
        int churn = intOption("churn", Math.max(1, subscribers / 100));
        int sample = intOption("sample", 60);
        SocketChannel publisher = openPublisher(host, intOption("publish-port", port), path, key, secret, channel);
        String pad = "x".repeat(Math.max(0, payload - 40));
        long start = System.nanoTime();
        long interval = 1_000_000_000L / Math.max(1, rate);
        long nextChurn = start + 1_000_000_000L;
        long nextSample = start + TimeUnit.SECONDS.toNanos(sample);
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long sent = 0;
        long lastReceived = 0;
        long reconnects = 0;
        List<long[]> samples = new ArrayList<>();
        out.println("  minute  subscribers  deliveries/s  reconnects  failed  RSS MB  heap MB");
        while (System.nanoTime() < end) {
            long due = start + sent * interval;
            long now = System.nanoTime();
            if (now < due) {
                Thread.sleep(0, (int) Math.min(500_000, due - now));
                continue;
            }
            SubscriberPool.send(publisher, 1, ("{\"event\":\"client-soak\",\"channel\":\"" + channel + "\",\"data\":{\"t\":"
                    + System.nanoTime() + ",\"n\":" + sent++ + ",\"pad\":\"" + pad + "\"}}").getBytes(StandardCharsets.UTF_8));
            if (now >= nextChurn) {
                nextChurn += 1_000_000_000L;
                pool.churn(churn);
                pool.open(churn);
                reconnects += churn;
            }
            if (now >= nextSample) {
                nextSample += TimeUnit.SECONDS.toNanos(sample);
                long received = pool.received();
                long heap = heapUsedAfterGc(pid);
                long rss = rss(pid);
                samples.add(new long[] {rss, heap});
                out.printf("  %6.1f  %11d  %12.0f  %10d  %6d  %6.1f  %7.1f%n", (now - start) / 60e9, pool.ready(),
                        (received - lastReceived) / (double) sample, reconnects, pool.failed(), rss / 1048576.0,
                        heap / 1048576.0);
                lastReceived = received;
            }
        }
        publisher.close();
        pool.stop();
        if (samples.size() < 3) {
            out.println("  too short for a trend: run at least three samples (--duration >= 3 x --sample)");
            return 0;
        }
        // The first sample is after warm-up; compare the second half of the run with it.
        long[] first = samples.get(0);
        long[] last = samples.get(samples.size() - 1);
        double heapGrowth = (last[1] - first[1]) / 1048576.0;
        double rssGrowth = (last[0] - first[0]) / 1048576.0;
        out.printf("  growth from the first sample to the last: heap %+.1f MB, RSS %+.1f MB over %.0f min%n", heapGrowth,
                rssGrowth, (samples.size() - 1) * sample / 60.0);
        // JIT code, metaspace and malloc arenas settle in the first minutes: a leak keeps growing after.
        long[] middle = samples.get(samples.size() / 2);
        out.printf("  over the second half: heap %+.1f MB, RSS %+.1f MB over %.0f min%n", (last[1] - middle[1]) / 1048576.0,
                (last[0] - middle[0]) / 1048576.0, (samples.size() - 1 - samples.size() / 2) * sample / 60.0);
        return pool.failed() == 0 ? 0 : 3;
    }

    private static SocketChannel openPublisher(String host, int port, String path, String key, String secret,
                                               String channel) throws IOException {
        SocketChannel socket = SocketChannel.open(new InetSocketAddress(host, port));
        socket.socket().setTcpNoDelay(true);
        String request = "GET " + path + "/app/" + key + "?protocol=7&client=chorus-bench&version=1 HTTP/1.1\r\nHost: "
                + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(new byte[16]) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        socket.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        String established = readUntil(socket, "connection_established");
        Matcher matcher = Pattern.compile("socket_id\\\\\":\\\\\"([0-9.]+)").matcher(established);
        if (!matcher.find()) {
            throw new IOException("publisher not established: " + established);
        }
        String auth = key + ":" + new Signer(secret).sign(matcher.group(1) + ":" + channel);
        SubscriberPool.send(socket, 1, ("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel
                + "\",\"auth\":\"" + auth + "\"}}").getBytes(StandardCharsets.UTF_8));
        readUntil(socket, "subscription_succeeded");
        return socket;
    }

    private static String readUntil(SocketChannel socket, String marker) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (seen.indexOf(marker) < 0) {
            if (System.nanoTime() > deadline || socket.read(buffer) < 0) {
                throw new IOException("no " + marker + " from the server: " + seen);
            }
            buffer.flip();
            seen.append(StandardCharsets.ISO_8859_1.decode(buffer));
            buffer.clear();
        }
        return seen.toString();
    }

    /** Until the server uses under a tenth of a core for half a second (at most 30 s): closes are work too. */
    private static void awaitIdle(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long before = cpuNanos(pid);
        while (before >= 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            long after = cpuNanos(pid);
            if (after - before < 50_000_000L) {
                return;
            }
            before = after;
        }
    }

    private Process spawnServer(int port, String key, String secret) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("chorus-bench-");
        Path config = dir.resolve("bench.yaml");
        Files.writeString(config, "apps:\n  - id: \"1\"\n    key: " + key + "\n    secret: " + secret
                + "\n    client_event_rate_limit: 0\n    inbound_rate_limit: 0\n    max_pending_messages: 100000\n    max_message_size: 1000000\n");
        Path jar = Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        String heap = option("server-heap", "1g");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms" + heap, "-Xmx" + heap, "-XX:+UseParallelGC", "-jar", jar.toString(), "start", "--host", "127.0.0.1",
                "--port", String.valueOf(port), "--config", config.toString()));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("bench server exited: " + Files.readString(dir.resolve("server.log")));
            }
            if (Files.readString(dir.resolve("server.log")).contains("Chorus listening on")) {
                out.println("  started a Chorus server for the bench (pid " + process.pid() + ", heap " + heap
                        + ", log " + dir.resolve("server.log") + ")");
                return process;
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new IOException("bench server did not start in 60 s");
    }

    /** Heap in use after a full GC, through jcmd; -1 when it cannot be read (or the server is no JVM). */
    private static long heapUsedAfterGc(long pid) {
        if (pid <= 0 || !isJvm(pid)) {
            return -1;
        }
        try {
            jcmd(pid, "GC.run");
            // G1 prints one "used" for the heap, Parallel one per generation; metaspace is not heap.
            long used = -1;
            for (String line : jcmd(pid, "GC.heap_info").split("\n")) {
                Matcher matcher = Pattern.compile("used (\\d+)K").matcher(line);
                if (!line.contains("Metaspace") && !line.contains("class space") && matcher.find()) {
                    used = Math.max(used, 0) + Long.parseLong(matcher.group(1)) * 1024;
                }
            }
            return used;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    /** jcmd attaches with SIGQUIT, which kills a process that is not a JVM (soketi's node, for one). */
    private static boolean isJvm(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).getFileName().toString().equals("java");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(30, TimeUnit.SECONDS);
        return output;
    }

    private static long rss(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** utime + stime of the process from /proc, in nanoseconds (clock ticks of 10 ms). */
    private static long cpuNanos(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long benchCpu() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return 0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
