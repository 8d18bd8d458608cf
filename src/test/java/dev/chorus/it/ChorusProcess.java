package dev.chorus.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The real launcher ({@code java -jar target/chorus.jar}) in its own process, on a free port. */
public final class ChorusProcess implements AutoCloseable {
    private final Process process;
    /** Where the process writes stdout and stderr: a pipe loses what is printed just before exit. */
    private final Path log;
    public final int port;
    public final Path dir;

    private ChorusProcess(Process process, int port, Path dir, Path log) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.log = log;
    }

    public static Path jar() {
        return Path.of(System.getProperty("chorus.jar", "target/chorus.jar")).toAbsolutePath();
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Starts {@code chorus.jar} with these arguments in a fresh directory, without waiting. */
    public static ChorusProcess launch(Path dir, Map<String, String> env, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(args);
        // Outside dir: tests look at what the launcher writes there.
        Path log = Files.createTempFile("chorus-it-", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("REVERB_") || name.startsWith("CHORUS_"));
        builder.environment().putAll(env);
        int port = -1;
        for (int i = 0; i < args.size() - 1; i++) {
            if (args.get(i).equals("--port") && args.get(i + 1).matches("\\d+")) {
                port = Integer.parseInt(args.get(i + 1));
            }
        }
        return new ChorusProcess(builder.start(), port, dir, log);
    }

    /** Starts a server with this YAML config on a free loopback port and waits until it serves. */
    public static ChorusProcess start(String yaml, String... extraArgs) throws IOException {
        Path dir = Files.createTempDirectory("chorus-it-");
        Path config = dir.resolve("chorus-test.yaml");
        Files.writeString(config, yaml);
        List<String> args = new ArrayList<>(List.of("start", "--host", "127.0.0.1", "--port",
                String.valueOf(freePort()), "--config", config.toString()));
        args.addAll(List.of(extraArgs));
        ChorusProcess chorus = launch(dir, Map.of(), args);
        chorus.awaitOutput("Chorus listening on", 60);
        return chorus;
    }

    public void awaitOutput(String text, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (output().contains(text)) {
                return;
            }
            if (!process.isAlive() && !output().contains(text)) {
                throw new IllegalStateException("chorus exited with " + process.exitValue() + ":\n" + output());
            }
            sleep(50);
        }
        throw new IllegalStateException("no '" + text + "' from chorus within " + seconds + " s:\n" + output());
    }

    public int awaitExit(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("chorus did not exit:\n" + output());
        }
        return process.exitValue();
    }

    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    public Process process() {
        return process;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
