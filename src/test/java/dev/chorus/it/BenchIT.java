package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar chorus.jar bench} end to end, small: each scenario against the server it starts
 * itself, so the load generator docs/benchmarks.md's figures come from cannot rot unnoticed. Behaviour only
 * (everything delivered, the figures printed); speed lives in the figures, not in assertions.
 */
class BenchIT {
    private static String bench(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", ChorusProcess.jar().toString(), "bench", "--server-heap", "256m"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // The server the bench starts inherits it: its files go where the suite's go, not to /tmp.
        builder.environment().put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "bench finished");
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    @Test
    void fanOutDeliversEveryEventToEverySubscriberAndPrintsLatencyAndCpu() throws Exception {
        String output = bench("--subscribers", "100", "--rate", "50", "--duration", "2", "--warmup", "1",
                "--client-threads", "2");
        assertTrue(output.contains("deliveries 10000 of 10000 (0 missing)"), output);
        assertTrue(output.matches("(?s).*latency: p50 [0-9.]+ ms, p99 [0-9.]+ ms.*"), output);
        assertTrue(output.matches("(?s).*server CPU: [0-9.]+ s = [0-9.]+ us per delivery.*"), output);
        assertTrue(output.matches("(?s).*heap per subscribed connection: [0-9.-]+ KB.*"), output);
    }

    @Test
    void connectOpensFromSeveralSourceAddressesInParallel() throws Exception {
        String output = bench("--scenario", "connect", "--subscribers", "300", "--source-addresses", "3",
                "--concurrency", "50");
        Matcher subscribed = Pattern.compile("subscribed (\\d+) \\(failed (\\d+)\\)").matcher(output);
        assertTrue(subscribed.find(), output);
        assertEquals("300", subscribed.group(1), output);
        assertEquals("0", subscribed.group(2), output);
        assertTrue(output.contains("RSS per subscribed connection"), output);
    }

    @Test
    void triggersArePostedSignedOnKeepAliveConnectionsAndReachTheSubscribers() throws Exception {
        String output = bench("--scenario", "trigger", "--subscribers", "10", "--duration", "2", "--warmup", "1",
                "--connections", "2");
        assertTrue(output.contains("(0 failed after warm-up)"), output);
        assertTrue(!output.contains("closed the connection"), "Chorus keeps HTTP connections alive: " + output);
        Matcher triggers = Pattern.compile("triggers: (\\d+) in").matcher(output);
        assertTrue(triggers.find() && Long.parseLong(triggers.group(1)) > 0, output);
        Matcher deliveries = Pattern.compile("deliveries: (\\d+) =").matcher(output);
        assertTrue(deliveries.find() && Long.parseLong(deliveries.group(1)) > 0, output);
    }
}
