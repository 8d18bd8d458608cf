package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pusher.rest.Pusher;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image and the compose topology for real, with the commands docs/docker.md gives: the project's
 * scripts install and start a Docker engine and build stand-ins for the base images where no registry
 * answers; the image is built from this repository and run. Fails (never skips) when no engine can run.
 */
class DockerIT {
    private static final String IMAGE = "chorus-it";
    private static final String LABEL = "dev.chorus.it=" + UUID.randomUUID();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private static List<String> compose;
    private static Path logs;

    @BeforeAll
    static void engineAndImage() throws Exception {
        logs = Files.createDirectories(Path.of("target", "docker-it"));
        long start = System.nanoTime();
        compose = List.of(run("ensure-docker", Duration.ofMinutes(10), "bash", "scripts/ensure-docker.sh").strip().split(" "));
        long engine = System.nanoTime();
        run("docker-base-images", Duration.ofMinutes(20), "bash", "scripts/docker-base-images.sh");
        long bases = System.nanoTime();
        run("docker-build", Duration.ofMinutes(20), "docker", "build", "-f", "docker/Dockerfile", "-t", IMAGE, ".");
        long built = System.nanoTime();
        System.out.printf("DockerIT: engine %d s, base images %d s, image %d s%n", seconds(engine - start),
                seconds(bases - engine), seconds(built - bases));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (logs == null) {
            return;
        }
        String ids = quietly("docker", "ps", "-aq", "--filter", "label=" + LABEL).strip();
        if (!ids.isEmpty()) {
            List<String> rm = new ArrayList<>(List.of("docker", "rm", "-f", "-v"));
            rm.addAll(List.of(ids.split("\\s+")));
            quietly(rm.toArray(String[]::new));
        }
    }

    @Test
    void theImageServesUpAndSocketsAsANonRootUserIsHealthyAndStopsCleanly() throws Exception {
        int port = ChorusProcess.freePort();
        String container = runContainer(port, 8080, List.of("-e", "REVERB_APP_ID=1", "-e", "REVERB_APP_KEY=dk",
                "-e", "REVERB_APP_SECRET=ds"), List.of());
        awaitUp("http://127.0.0.1:" + port + "/up", container);
        assertNotEquals("0", docker("exec", container, "id", "-u").strip(), "the server runs as a user of its own");

        try (Wire.Client client = Wire.open(port, "dk")) {
            client.send(Wire.subscribe("docker-round-trip"));
            assertEquals(Wire.succeeded("docker-round-trip"), client.next());
            Pusher sdk = new Pusher("1", "dk", "ds");
            sdk.setHost("127.0.0.1:" + port);
            sdk.setEncrypted(false);
            assertEquals(200, sdk.trigger("docker-round-trip", "hello", "container").getHttpStatus());
            assertEquals("{\"event\":\"hello\",\"data\":\"\\\"container\\\"\",\"channel\":\"docker-round-trip\"}", client.next());

            awaitHealthy(container);
            // The launcher's own check still works where curl is not the tool (same entrypoint, other command).
            assertTrue(docker("exec", container, "chorus-entrypoint", "health").contains("/up"), "chorus.jar health");

            Process stop = new ProcessBuilder("docker", "stop", "-t", "30", container).redirectErrorStream(true)
                    .redirectOutput(logs.resolve("docker-stop.log").toFile()).start();
            List<String> texts = new ArrayList<>();
            RawWebSocket.Frame close = client.ws().awaitClose(30_000, texts);
            assertEquals(List.of(Wire.error(4200, "Server is restarting, please reconnect")), texts);
            assertEquals(4200, close.closeCode());
            assertTrue(stop.waitFor(60, TimeUnit.SECONDS), "docker stop returned");
        }
        assertEquals("0", docker("inspect", "-f", "{{.State.ExitCode}}", container).strip(),
                "docker stop is a clean stop:\n" + docker("logs", container));
    }

    @Test
    void theHealthCheckFollowsFlagsGivenAfterTheImageNameIncludingPortAndRoutePrefix() throws Exception {
        int port = ChorusProcess.freePort();
        String container = runContainer(port, 9000, List.of("-e", "REVERB_APP_ID=1", "-e", "REVERB_APP_KEY=fk",
                "-e", "REVERB_APP_SECRET=fs"), List.of("start", "--port", "9000", "--path", "/ws"));
        awaitUp("http://127.0.0.1:" + port + "/ws/up", container);
        awaitHealthy(container);
        String url = docker("exec", container, "cat", "/tmp/chorus-health").strip();
        assertEquals("http://127.0.0.1:9000/ws/up", url);
    }

    @Test
    void theHealthCheckPassesUnderTlsWhateverNamesTheCertificateHas() throws Exception {
        // A self-signed certificate for a public name only: no SAN for 127.0.0.1, trusted by nobody.
        Path dir = Files.createTempDirectory("chorus-docker-tls-");
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path keystore = dir.resolve("server.p12");
            Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "chorus", "-keyalg", "EC", "-dname", "CN=chorus.example", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                    .redirectErrorStream(true).start();
            String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, output);
            Files.setPosixFilePermissions(keystore, PosixFilePermissions.fromString("rw-r--r--"));

            int port = ChorusProcess.freePort();
            String container = runContainer(port, 8080, List.of("-e", "REVERB_APP_ID=1", "-e", "REVERB_APP_KEY=tk",
                    "-e", "REVERB_APP_SECRET=ts", "-v", dir + ":/certs:ro",
                    "-e", "CHORUS_TLS_KEYSTORE=/certs/server.p12", "-e", "CHORUS_TLS_KEYSTORE_PASSWORD=changeit"), List.of());
            awaitHealthy(container);
            assertEquals("https://127.0.0.1:8080/up", docker("exec", container, "cat", "/tmp/chorus-health").strip());
        } finally {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    void composeRunsTwoNodesBehindNginxAndARecreatedNodeTakesNewSocketsAgain() throws Exception {
        int port = ChorusProcess.freePort();
        String project = "chorusit" + ProcessHandle.current().pid();
        Map<String, String> env = new HashMap<>(Map.of("CHORUS_IMAGE", IMAGE, "CHORUS_PORT", "127.0.0.1:" + port,
                "REVERB_APP_ID", "77", "REVERB_APP_KEY", "ck", "REVERB_APP_SECRET", "cs"));
        String placeholder = null;
        try {
            compose(env, project, "up", "-d");
            awaitUp("http://127.0.0.1:" + port + "/up", null);

            // One event reaches sockets on both nodes (nginx spreads new sockets at random).
            Map<String, Wire.Client> byNode = new HashMap<>();
            List<Wire.Client> opened = new ArrayList<>();
            try {
                long deadline = System.currentTimeMillis() + 60_000;
                while (byNode.size() < 2 && System.currentTimeMillis() < deadline) {
                    Wire.Client client = Wire.open(port, "ck");
                    opened.add(client);
                    byNode.putIfAbsent(node(client), client);
                }
                assertEquals(2, byNode.size(), "sockets landed on both nodes among " + opened.size());
                for (Wire.Client client : byNode.values()) {
                    client.send(Wire.subscribe("docker-cluster"));
                    assertEquals(Wire.succeeded("docker-cluster"), client.next());
                }
                triggerThroughNginx(port, byNode.values());
            } finally {
                opened.forEach(Wire.Client::close);
            }

            // chorus-1 re-created at another address (its old one is taken meanwhile): new sockets reach it
            // again without reloading nginx.
            String network = docker("inspect", "-f", "{{range $name, $n := .NetworkSettings.Networks}}{{$name}}{{end}}",
                    containerOf(env, project, "chorus-1")).strip();
            String oldAddress = address(containerOf(env, project, "chorus-1"));
            String survivor;
            try (Wire.Client probe = openOnOtherNode(port, null)) {
                survivor = node(probe);
            }
            compose(env, project, "stop", "chorus-1");
            compose(env, project, "rm", "-f", "chorus-1");
            placeholder = docker("run", "-d", "--label", LABEL, "--network", network, "--ip", oldAddress, "redis:7-alpine").strip();
            compose(env, project, "up", "-d", "chorus-1");
            String newAddress = address(containerOf(env, project, "chorus-1"));
            assertNotEquals(oldAddress, newAddress, "the re-created node has a new address");
            try (Wire.Client onNew = openOnOtherNode(port, survivor)) {
                List<Wire.Client> both = new ArrayList<>(List.of(onNew));
                try (Wire.Client onSurvivor = openOnOtherNode(port, node(onNew))) {
                    both.add(onSurvivor);
                    for (Wire.Client client : both) {
                        client.send(Wire.subscribe("docker-cluster"));
                        assertEquals(Wire.succeeded("docker-cluster"), client.next());
                    }
                    triggerThroughNginx(port, both);
                }
            }
        } finally {
            if (placeholder != null) {
                quietly("docker", "rm", "-f", placeholder);
            }
            List<String> down = new ArrayList<>(compose);
            down.addAll(List.of("-p", project, "-f", "docker/compose.yaml", "down", "-v", "--remove-orphans"));
            runWith(env, "compose-down", Duration.ofMinutes(3), down);
        }
    }

    /** A socket through nginx on a node other than {@code not} (any node when null), polling for up to 60 s. */
    private static Wire.Client openOnOtherNode(int port, String not) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        String last = "nothing";
        while (System.currentTimeMillis() < deadline) {
            try {
                Wire.Client client = Wire.open(port, "ck");
                if (not == null || !node(client).equals(not)) {
                    return client;
                }
                client.close();
                last = "only node " + not;
            } catch (IOException | AssertionError e) {
                last = e.getMessage();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no socket reached a node other than " + not + " within 60 s: " + last);
    }

    /** Socket ids start with a number each node draws at start. */
    private static String node(Wire.Client client) {
        return client.socketId().split("\\.")[0];
    }

    private static void triggerThroughNginx(int port, Iterable<Wire.Client> clients) throws Exception {
        Pusher sdk = new Pusher("77", "ck", "cs");
        sdk.setHost("127.0.0.1:" + port);
        sdk.setEncrypted(false);
        assertEquals(200, sdk.trigger("docker-cluster", "hello", "both").getHttpStatus());
        for (Wire.Client client : clients) {
            assertEquals("{\"event\":\"hello\",\"data\":\"\\\"both\\\"\",\"channel\":\"docker-cluster\"}", client.next());
        }
    }

    private static String containerOf(Map<String, String> env, String project, String service) throws Exception {
        List<String> ps = new ArrayList<>(compose);
        ps.addAll(List.of("-p", project, "-f", "docker/compose.yaml", "ps", "-q", service));
        return runWith(env, "compose-ps", Duration.ofMinutes(1), ps).strip();
    }

    private static String address(String container) throws Exception {
        return docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", container).strip();
    }

    private static void compose(Map<String, String> env, String project, String... args) throws Exception {
        List<String> command = new ArrayList<>(compose);
        command.addAll(List.of("-p", project, "-f", "docker/compose.yaml"));
        command.addAll(List.of(args));
        runWith(env, "compose-" + args[0], Duration.ofMinutes(5), command);
    }

    /** {@code docker run -d} of the built image, published on loopback only. */
    private static String runContainer(int hostPort, int containerPort, List<String> options, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker", "run", "-d", "--label", LABEL,
                "-p", "127.0.0.1:" + hostPort + ":" + containerPort));
        command.addAll(options);
        command.add(IMAGE);
        command.addAll(args);
        return runWith(Map.of(), "docker-run", Duration.ofMinutes(1), command).strip();
    }

    private static void awaitUp(String url, String container) throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        String last = "no answer";
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = String.valueOf(e.getMessage());
            }
            Thread.sleep(250);
        }
        throw new AssertionError(url + " did not answer 200 within 90 s: " + last
                + (container == null ? "" : "\n" + docker("logs", container)));
    }

    /** Docker runs the check every 10 s; the first one passes once the server has written its health file. */
    private static void awaitHealthy(String container) throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        String status = "";
        while (System.currentTimeMillis() < deadline) {
            status = docker("inspect", "-f", "{{.State.Health.Status}}", container).strip();
            if (status.equals("healthy")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("health " + status + ": " + docker("inspect", "-f", "{{json .State.Health}}", container)
                + "\n" + docker("logs", container));
    }

    private static String docker(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return runWith(Map.of(), "docker-" + args[0], Duration.ofMinutes(2), command);
    }

    private static String run(String name, Duration timeout, String... command) throws Exception {
        return runWith(Map.of(), name, timeout, List.of(command));
    }

    /** Runs a command from the repository root; its output goes to target/docker-it/NAME.log, its tail into a failure. */
    private static String runWith(Map<String, String> env, String name, Duration timeout, List<String> command) throws Exception {
        Path out = logs.resolve(name + ".out");
        Path err = logs.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s; "
                    + tail(err));
        }
        String stdout = Files.readString(out);
        if (process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + process.exitValue() + ": " + tail(err)
                    + tail(out));
        }
        return stdout;
    }

    private static String quietly(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(60, TimeUnit.SECONDS);
            return output;
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }

    private static long seconds(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nanos);
    }
}
