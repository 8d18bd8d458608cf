package dev.chorus.launcher;

import dev.chorus.app.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * {@code CHORUS_HEALTH_FILE}: once the server answers, the URL of its own {@code /up} is written there,
 * one line, as it was really bound (scheme, port, route prefix from flags, environment or config file).
 * A container's health check reads it and asks with curl: no second JVM, no copy of the settings
 * logic, and no dependence on the certificate's names (the check does not verify a loopback call).
 */
final class HealthFile {
    static final String ENV = "CHORUS_HEALTH_FILE";

    private HealthFile() {
    }

    /** Best effort: a file that cannot be written is one warning, never a failed start. */
    static void write(Map<String, String> env, Settings settings, int port, PrintStream err) {
        String name = env.get(ENV);
        if (name == null || name.isBlank()) {
            return;
        }
        Path file = Path.of(name).toAbsolutePath();
        try {
            Path temp = Files.createTempFile(file.getParent(), ".chorus-health-", ".tmp");
            try {
                // Whole or not at all: the check may read while this is written.
                Files.writeString(temp, url(settings, port) + "\n");
                try {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException | RuntimeException e) {
            err.println("Chorus: cannot write the health file " + file + " (" + ENV + "): " + e.getMessage());
        }
    }

    /** The local address to ask: a wildcard listener is asked on loopback. */
    static String url(Settings settings, int port) {
        String host = settings.host();
        if (host.equals("0.0.0.0") || host.isEmpty()) {
            host = "127.0.0.1";
        } else if (host.equals("::") || host.equals("[::]") || host.equals("::0")) {
            host = "[::1]";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return (settings.tls() == null ? "http" : "https") + "://" + host + ":" + port + settings.path() + "/up";
    }
}
