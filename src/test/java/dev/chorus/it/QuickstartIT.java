package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's first screen, as a stranger runs it: its server command in a fresh directory, what it
 * says you should see, its {@code curl}, and a stop that a supervisor reads as clean.
 */
class QuickstartIT {
    private static final Path README = Path.of("README.md");

    @Test
    void theReadmesServerCommandPrintsWhatTheReadmeShowsAnswersItsCurlAndStopsCleanly() throws Exception {
        String serverLine = Recipe.read(README, "quickstart").lines().stream()
                .filter(line -> line.contains("chorus.jar start")).findFirst().orElseThrow();
        int port = ChorusProcess.freePort();
        // The port is the build machine's only change: the README's command, as printed, would take 8080.
        try (ContainerProcess chorus = ContainerProcess.launch(new Recipe("quickstart", List.of(serverLine)),
                "export REVERB_SERVER_PORT=" + port, port)) {
            String output = chorus.awaitOutput("Chorus listening on", 90);
            assertShaped(shownOutput(), output, port);

            Recipe up = Recipe.read(README, "up").replace("8080", String.valueOf(port));
            Process curl = new ProcessBuilder("bash", "-c", String.join("\n", up.lines()))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String answer = new String(curl.getInputStream().readAllBytes());
            assertTrue(curl.waitFor(30, TimeUnit.SECONDS));
            assertEquals("{\"health\":\"OK\"}", answer.trim());
            assertTrue(Files.readString(README).contains("answers `" + answer.trim() + "`"), "the README shows the answer");

            ProcessHandle java = chorus.processes().filter(handle -> handle.info().commandLine().orElse("")
                    .contains("chorus.jar start")).findFirst().orElseThrow();
            java.destroy();
            assertEquals(0, chorus.awaitExit(30), "SIGTERM is a requested stop:\n" + chorus.output());
        }
    }

    @Test
    void ciRunsExactlyTheReadmesTestCommand() throws Exception {
        String testLine = Recipe.read(README, "quickstart").lines().stream()
                .filter(line -> line.startsWith("mvn") && line.contains("verify")).findFirst().orElseThrow();
        List<String> ci = Files.readAllLines(Path.of(".ci/run"));
        assertEquals("exec " + testLine, ci.get(ci.size() - 1));
    }

    /** The block after "You should see": what the first start prints. */
    private static List<String> shownOutput() throws Exception {
        List<String> lines = Files.readAllLines(README);
        int at = 0;
        while (!lines.get(at).startsWith("**You should see**")) {
            at++;
        }
        while (!lines.get(at).startsWith("```")) {
            at++;
        }
        List<String> shown = new ArrayList<>();
        for (at++; !lines.get(at).startsWith("```"); at++) {
            shown.add(lines.get(at));
        }
        return shown;
    }

    /**
     * Line for line, the printed output matches the README's, the values that differ on every machine
     * (path, generated id, key and secret, port, time) aside.
     */
    private static void assertShaped(List<String> shown, String output, int port) {
        Map<String, String> variable = Map.of("/home/you/chorus", "/\\S+", "347799", "\\d+",
                "2yswc37zu72knq4unxrd", "[a-z0-9]+", "jlgzz0dnqj839p6svzi6", "[a-z0-9]+",
                "8080", String.valueOf(port), "12:00:00", "\\d\\d:\\d\\d:\\d\\d");
        List<String> expected = shown.stream().filter(line -> !line.isBlank()).toList();
        List<String> actual = output.lines().filter(line -> !line.isBlank() && !line.startsWith("(mvn ")
                && !line.startsWith("Picked up JAVA_TOOL_OPTIONS")).toList();
        assertEquals(expected.size(), actual.size(), "the README shows:\n" + String.join("\n", shown) + "\nChorus printed:\n" + output);
        for (int i = 0; i < expected.size(); i++) {
            String regex = Pattern.quote(expected.get(i));
            for (Map.Entry<String, String> value : variable.entrySet()) {
                regex = regex.replace(value.getKey(), "\\E" + value.getValue() + "\\Q");
            }
            assertTrue(actual.get(i).matches(regex), "line " + (i + 1) + ": README shows\n  " + expected.get(i)
                    + "\nChorus printed\n  " + actual.get(i));
        }
    }
}
