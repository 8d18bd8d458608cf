package dev.chorus.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.Settings;
import dev.chorus.app.SettingsLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthFileTest {
    private static final Map<String, String> APP = Map.of("REVERB_APP_ID", "1", "REVERB_APP_KEY", "k", "REVERB_APP_SECRET", "s");

    private static Settings settings(Map<String, String> flags) {
        return new SettingsLoader(flags, APP).load(null);
    }

    @Test
    void theFileNamesTheBoundPortAndRoutePrefixOnLoopback(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("health");
        HealthFile.write(Map.of(HealthFile.ENV, file.toString()), settings(Map.of("path", "/ws")), 9000, System.err);
        assertEquals("http://127.0.0.1:9000/ws/up\n", Files.readString(file));
    }

    @Test
    void aSpecificAddressIsAskedThereAndIPv6IsBracketed() {
        assertEquals("http://10.1.2.3:81/up", HealthFile.url(settings(Map.of("host", "10.1.2.3")), 81));
        assertEquals("http://[::1]:81/up", HealthFile.url(settings(Map.of("host", "::")), 81));
    }

    @Test
    void withoutTheVariableNothingIsWritten(@TempDir Path dir) throws Exception {
        HealthFile.write(Map.of(), settings(Map.of()), 8080, System.err);
        try (var files = Files.list(dir)) {
            assertFalse(files.findAny().isPresent());
        }
    }

    @Test
    void anUnwritableFileIsOneWarningNotAFailure(@TempDir Path dir) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        HealthFile.write(Map.of(HealthFile.ENV, dir.resolve("missing/dir/health").toString()), settings(Map.of()), 8080,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String warning = err.toString(StandardCharsets.UTF_8);
        assertTrue(warning.startsWith("Chorus: cannot write the health file") && warning.strip().lines().count() == 1, warning);
    }
}
