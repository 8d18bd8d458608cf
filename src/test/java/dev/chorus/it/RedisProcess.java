package dev.chorus.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server on a free loopback port: the one on PATH, else the Linux binary shipped inside
 * com.github.codemonstur:embedded-redis. Started and killed as a plain process, so tests can SIGKILL
 * it and start it again on the same port.
 */
public final class RedisProcess implements AutoCloseable {
    public final int port;
    private final Path binary;
    private final Path dir;
    private final boolean persistent;
    private final List<String> extraArgs;
    private Process process;

    private RedisProcess(Path binary, int port, Path dir, boolean persistent, List<String> extraArgs) {
        this.binary = binary;
        this.port = port;
        this.dir = dir;
        this.persistent = persistent;
        this.extraArgs = extraArgs;
    }

    public static RedisProcess start() throws IOException {
        return start(false);
    }

    /** @param persistent append-only file synced on every write, so a SIGKILL loses nothing */
    public static RedisProcess start(boolean persistent) throws IOException {
        RedisProcess redis = new RedisProcess(binary(), ChorusProcess.freePort(), Files.createTempDirectory("chorus-redis-"),
                persistent, List.of());
        redis.restart();
        return redis;
    }

    /** A replica of {@code master}, for Sentinel to promote. */
    public static RedisProcess replicaOf(RedisProcess master) throws IOException {
        RedisProcess redis = new RedisProcess(binary(), ChorusProcess.freePort(), Files.createTempDirectory("chorus-redis-"),
                false, List.of("--replicaof", "127.0.0.1", String.valueOf(master.port)));
        redis.restart();
        return redis;
    }

    /**
     * The same redis-server binary as a sentinel ({@code --sentinel}) watching {@code master} under
     * {@code name}, quorum 1, calling it down after one second of silence.
     */
    public static RedisProcess sentinel(String name, RedisProcess master) throws IOException {
        Path dir = Files.createTempDirectory("chorus-sentinel-");
        int port = ChorusProcess.freePort();
        Path config = dir.resolve("sentinel.conf");
        Files.writeString(config, "port " + port + "\nbind 127.0.0.1\n"
                + "sentinel monitor " + name + " 127.0.0.1 " + master.port + " 1\n"
                + "sentinel down-after-milliseconds " + name + " 1000\n"
                + "sentinel failover-timeout " + name + " 5000\n"
                + "sentinel parallel-syncs " + name + " 1\n");
        RedisProcess sentinel = new RedisProcess(binary(), port, dir, false, List.of(config.toString(), "--sentinel"));
        sentinel.restart();
        return sentinel;
    }

    /** The redis-server binary the tests run: the one on PATH, else embedded-redis's. */
    static Path binary() throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        Path extracted = Path.of(System.getProperty("java.io.tmpdir"), "chorus-test-redis-server-6.2.6");
        if (!Files.isExecutable(extracted)) {
            try (InputStream in = RedisProcess.class.getResourceAsStream("/redis-server-6.2.6-v5-linux-amd64")) {
                if (in == null) {
                    throw new IOException("no redis-server on PATH and none in embedded-redis for this platform");
                }
                Path temp = Files.createTempFile("redis-server", "");
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                temp.toFile().setExecutable(true);
                Files.move(temp, extracted, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        return extracted;
    }

    /** (Re)starts the server on the same port. */
    public void restart() throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(binary.toString()));
        if (extraArgs.contains("--sentinel")) {
            command.addAll(extraArgs);
        } else {
            command.addAll(List.of("--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always", "--dir", dir.toString()));
            command.addAll(extraArgs);
        }
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.getOutputStream().write("PING\r\n".getBytes());
                byte[] reply = new byte[7];
                if (socket.getInputStream().read(reply) > 0) {
                    return;
                }
            } catch (IOException notYet) {
                ChorusProcess.sleep(50);
            }
        }
        throw new IOException("redis-server did not start: " + Files.readString(dir.resolve("redis.log")));
    }

    /** SIGKILL: no goodbye to the clients. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the process stops answering but its sockets stay open (a half-open link for the clients). */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " failed");
        }
    }

    public String log() throws IOException {
        return Files.readString(dir.resolve("redis.log"));
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
