package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A fresh clone built on a machine without Node.js: the README says npm is optional, so the build must
 * pass, the server must run, and only the demo page may say what is missing.
 */
class NpmOptionalIT {
    private static final Set<String> NODE_TOOLS = Set.of("npm", "npx", "node", "nodejs", "corepack");

    @Test
    void withoutNpmTheServerBuildsAndRunsAndTheDemoPageSaysItsAssetsAreMissing() throws Exception {
        Path clone = Files.createTempDirectory("chorus-no-npm-");
        try {
            cloneInto(clone);
            Path bin = withoutNode(clone.resolve(".bin"));

            ProcessBuilder build = new ProcessBuilder("mvn", "-B", "-ntp", "package", "-Dmaven.test.skip=true")
                    .directory(clone.toFile()).redirectErrorStream(true).redirectOutput(clone.resolve("build.log").toFile());
            build.environment().put("PATH", bin.toString());
            Process maven = build.start();
            assertTrue(maven.waitFor(600, TimeUnit.SECONDS), "build finished");
            String log = Files.readString(clone.resolve("build.log"));
            assertEquals(0, maven.exitValue(), log);
            assertTrue(log.contains("npm not found: building without the /demo page's Echo and pusher-js"), log);

            Path config = clone.resolve("chorus.yaml");
            Files.writeString(config, "apps:\n  - id: \"1\"\n    key: no-npm-key\n    secret: no-npm-secret\n");
            int port = ChorusProcess.freePort();
            Process chorus = new ProcessBuilder(ContainerProcess.java(), "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-jar", clone.resolve("target/chorus.jar").toString(),
                    "start", "--host", "127.0.0.1", "--port", String.valueOf(port), "--config", config.toString(), "--demo")
                    .redirectErrorStream(true).redirectOutput(clone.resolve("chorus.log").toFile()).start();
            try {
                HttpClient client = HttpClient.newHttpClient();
                awaitUp(client, port, chorus);
                HttpResponse<String> demo = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/demo")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(503, demo.statusCode());
                assertTrue(demo.body().contains("this Chorus was built without npm"), demo.body());
            } finally {
                chorus.destroy();
                chorus.waitFor(30, TimeUnit.SECONDS);
            }
        } finally {
            try (Stream<Path> paths = Files.walk(clone)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** A PATH directory offering every program this machine has but Node.js's. */
    private static Path withoutNode(Path bin) throws Exception {
        Files.createDirectories(bin);
        List<String> dirs = List.of((Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator
                + System.getenv("PATH")).split(File.pathSeparator));
        for (String dir : dirs) {
            File[] programs = new File(dir).listFiles();
            if (programs == null) {
                continue;
            }
            for (File program : programs) {
                Path link = bin.resolve(program.getName());
                if (program.canExecute() && program.isFile() && !NODE_TOOLS.contains(program.getName()) && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, program.toPath().toAbsolutePath());
                }
            }
        }
        return bin;
    }

    private static void awaitUp(HttpClient client, int port, Process chorus) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertTrue(chorus.isAlive(), "Chorus exited");
            try {
                if (client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/up")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no /up within 60 s");
    }

    /** What a fresh clone holds: the tracked files, without node_modules or a build. */
    private static void cloneInto(Path clone) throws Exception {
        Process git = new ProcessBuilder("git", "ls-files").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> tracked = new String(git.getInputStream().readAllBytes()).lines().toList();
        assertTrue(git.waitFor(60, TimeUnit.SECONDS) && git.exitValue() == 0 && !tracked.isEmpty(), "git ls-files");
        for (String file : tracked) {
            Path source = Path.of(file);
            if (Files.isRegularFile(source)) {
                Files.createDirectories(clone.resolve(file).getParent());
                Files.copy(source, clone.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
