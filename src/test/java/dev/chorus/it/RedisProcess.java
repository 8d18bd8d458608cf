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
    private Process process;

    private RedisProcess(Path binary, int port, Path dir, boolean persistent) {
        this.binary = binary;
        this.port = port;
        this.dir = dir;
        this.persistent = persistent;
    }

    public static RedisProcess start() throws IOException {
        return start(false);
    }

    /** @param persistent append-only file synced on every write, so a SIGKILL loses nothing */
    public static RedisProcess start(boolean persistent) throws IOException {
        RedisProcess redis = new RedisProcess(binary(), ChorusProcess.freePort(), Files.createTempDirectory("chorus-redis-"),
                persistent);
        redis.restart();
        return redis;
    }

    private static Path binary() throws IOException {
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
        process = new ProcessBuilder(List.of(binary.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always", "--dir", dir.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
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

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
