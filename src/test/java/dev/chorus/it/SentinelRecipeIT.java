package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * docs/redis-faults.md's Sentinel setup as printed: a master, a replica, three sentinels and a Chorus
 * node that finds the master through them. The ports are the build machine's only change.
 */
class SentinelRecipeIT {
    @Test
    void theSentinelRecipeRunsAsPrintedAndTheNodeRelaysThroughTheMasterTheSentinelsName() throws Exception {
        Recipe recipe = Recipe.read("redis-faults.md", "sentinel");
        // Longest first: 26379 contains 6379.
        Map<String, Integer> ports = new java.util.LinkedHashMap<>();
        for (String port : List.of("26379", "26380", "26381", "6379", "6380")) {
            ports.put(port, ChorusProcess.freePort());
        }
        // Through digit-free tokens, so that a replacement never matches inside another.
        List<String> printed = List.copyOf(ports.keySet());
        for (int i = 0; i < printed.size(); i++) {
            recipe = recipe.replace(printed.get(i), "@port" + (char) ('a' + i) + "@");
        }
        for (int i = 0; i < printed.size(); i++) {
            recipe = recipe.replace("@port" + (char) ('a' + i) + "@", String.valueOf(ports.get(printed.get(i))));
        }
        Path bin = Files.createTempDirectory("chorus-redis-bin-");
        Files.createSymbolicLink(bin.resolve("redis-server"), RedisProcess.binary().toAbsolutePath());
        int port = ChorusProcess.freePort();
        ContainerProcess node = ContainerProcess.launch(recipe, "export REVERB_SERVER_PORT=" + port, port,
                Map.of("PATH", bin + ":" + Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH")));
        try {
            node.awaitOutput("Chorus listening on", 90);
            HttpClient client = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String metrics = "";
            while (System.nanoTime() < deadline && !metrics.contains("chorus_relay_connected 1.0")) {
                metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Thread.sleep(200);
            }
            assertTrue(metrics.contains("chorus_relay_connected 1.0"), "relay connected through the sentinels:\n"
                    + node.output());
            assertTrue(node.output().lines().noneMatch(line -> line.contains("WARN") || line.contains("ERROR")), node.output());
        } finally {
            // The recipe's Redis processes run as daemons in the recipe's directory: stop them by it.
            Path workspace = node.workspace().toRealPath();
            ProcessHandle.allProcesses().filter(handle -> handle.info().command().orElse("").contains("redis-server"))
                    .filter(handle -> {
                        try {
                            return Files.readSymbolicLink(Path.of("/proc", String.valueOf(handle.pid()), "cwd"))
                                    .startsWith(workspace);
                        } catch (Exception gone) {
                            return false;
                        }
                    }).forEach(ProcessHandle::destroyForcibly);
            node.close();
        }
    }
}
