package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * chorus WAR deployed unmodified, set up by docs/containers.md's recipe as printed; see
 * {@link ContainerScenario}. Also what a stranger meets when a step is skipped, and what an undeploy
 * leaves behind.
 */
class Tomcat11IT {
    private static final String VERSION = "11.0.24";

    @Test
    void pusherClientsSubscribePresenceAndReceiveTriggeredEventsAndAnUndeployLeavesNothingRunning() throws Exception {
        // Scaling on: the Redis links, heartbeats and resync must stop with the web app too.
        try (RedisProcess redis = RedisProcess.start();
             ContainerProcess container = ContainerProcess.tomcat(VERSION, Recipe.read("containers.md", "tomcat"), true,
                     Map.of("REVERB_SCALING_ENABLED", "true", "REDIS_URL", redis.url()))) {
            try {
                ContainerScenario.run(container.port, container.credentials());

                Files.delete(container.workspace().resolve("apache-tomcat-" + VERSION + "/webapps/ROOT.war"));
                awaitStatus(container.port, 404, 60);
                // Tomcat reports threads a web app left running while it undeploys it, before the context is gone.
                String log = container.output();
                assertFalse(log.contains("appears to have started a thread"), "threads left running:\n" + log);
                assertFalse(log.contains("memory leak"), "leak warnings:\n" + log);
                String threads = threadsOf(tomcatPid(container));
                for (String prefix : List.of("chorus-", "HttpClient-", "commons-pool-", "jedis")) {
                    assertFalse(threads.contains("\"" + prefix), prefix + "* threads after the undeploy:\n" + threads);
                }
            } catch (AssertionError | Exception e) {
                throw new AssertionError(e.getMessage() + "\n--- container log ---\n" + container.output(), e);
            }
        }
    }

    @Test
    void withoutAnyConfigurationTheDeploymentFailsAndChorusFirstLineSaysWhatToSet() throws Exception {
        Recipe skipped = Recipe.read("containers.md", "tomcat")
                .without(line -> line.startsWith("java -jar target/chorus.jar init") || line.startsWith("export CHORUS_CONFIG"));
        try (ContainerProcess container = ContainerProcess.tomcat(VERSION, skipped, false)) {
            awaitStatus(container.port, 404, 120);
            String log = container.awaitOutput("Chorus cannot start", 60);
            // The first error in the log is Chorus's, whole, on one line; Tomcat's own follow it.
            String first = log.lines().filter(line -> line.contains(" SEVERE ")).findFirst().orElseThrow();
            assertTrue(first.endsWith("Chorus cannot start: No app configured: set CHORUS_CONFIG to a config file, or "
                    + "REVERB_APP_ID, REVERB_APP_KEY and REVERB_APP_SECRET"), first);
            assertFalse(log.contains("at org.jboss.weld"), "no CDI trace:\n" + log);
            assertFalse(log.contains("WeldException"), "no CDI error:\n" + log);
            assertFalse(log.lines().anyMatch(line -> line.startsWith("\tat ")), "no stack trace:\n" + log);
        }
    }

    private static void awaitStatus(int port, int status, int seconds) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int last = -1;
        while (System.nanoTime() < deadline) {
            try {
                last = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/up"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (last == status) {
                    return;
                }
            } catch (java.io.IOException notListening) {
                // Tomcat is still starting
            }
            Thread.sleep(250);
        }
        throw new AssertionError("/up answered " + last + ", not " + status + ", for " + seconds + " s");
    }

    private static long tomcatPid(ContainerProcess container) {
        return container.processes().filter(handle -> handle.info().commandLine().orElse("")
                .contains("org.apache.catalina.startup.Bootstrap")).findFirst().orElseThrow().pid();
    }

    private static String threadsOf(long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), out);
        return out;
    }
}
