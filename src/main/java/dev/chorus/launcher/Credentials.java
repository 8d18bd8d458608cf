package dev.chorus.launcher;

import dev.chorus.app.App;
import dev.chorus.app.ConfigurationException;
import dev.chorus.app.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;

/** App credentials on the command line: generated into a config file by init and a first start, and printed. */
final class Credentials {
    private Credentials() {
    }

    static void writeDevConfig(Path file) {
        SecureRandom random = new SecureRandom();
        String id = String.valueOf(100_000 + random.nextInt(900_000));
        String yaml = "# Chorus settings, generated once (like reverb:install). Precedence: command-line flags >\n"
                + "# environment (REVERB_* names) > this file > defaults. See docs/configuration.md for every option.\n"
                + "server:\n"
                + "  host: 0.0.0.0\n"
                + "  port: 8080\n"
                + "apps:\n"
                + "  - id: \"" + id + "\"\n"
                + "    key: \"" + randomAlnum(random, 20) + "\"\n"
                + "    secret: \"" + randomAlnum(random, 20) + "\"\n"
                + "    allowed_origins: [\"*\"]\n"
                + "    accept_client_events_from: members\n";
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            // The file holds app secrets: it is born owner-only (no window in which it is world-readable,
            // whatever the umask) and moved into place, so an overwritten file gets the same permissions.
            Path temp = dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                    ? Files.createTempFile(dir, ".chorus-", ".yaml.tmp",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    // Not POSIX (Windows): the directory's ACLs decide, as for any file the user creates.
                    : Files.createTempFile(dir, ".chorus-", ".yaml.tmp");
            try {
                Files.writeString(temp, yaml);
                try {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw ConfigurationException.bad("config", file, "cannot be written (" + e.getMessage() + ")");
        }
    }

    private static String randomAlnum(SecureRandom random, int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    /**
     * App ids and keys (public: they are in every browser), and the secrets only when they were just
     * generated, as {@code reverb:install} does; otherwise where the secret is, so logs and terminal
     * scroll-back of every later start hold no secret.
     */
    static void print(Settings settings, PrintStream out, boolean showSecrets, Map<String, String> env) {
        String host = settings.hostname() != null ? settings.hostname()
                : settings.host().equals("0.0.0.0") ? "localhost" : settings.host();
        for (int i = 0; i < settings.apps().size(); i++) {
            App app = settings.apps().get(i);
            out.println();
            out.println("  App " + app.name() + (app.enabled() ? "" : " (disabled)"));
            out.println("    REVERB_APP_ID=" + app.id());
            out.println("    REVERB_APP_KEY=" + app.key());
            if (showSecrets) {
                out.println("    REVERB_APP_SECRET=" + app.secret());
            } else if (i == 0 && env.get("REVERB_APP_SECRET") != null && !env.get("REVERB_APP_SECRET").isEmpty()) {
                out.println("    secret: from REVERB_APP_SECRET");
            } else {
                out.println("    secret: in " + (settings.configFile() == null ? "the configuration"
                        : settings.configFile().toAbsolutePath().toString()));
            }
        }
        App first = settings.apps().get(0);
        out.println();
        out.println("  pusher-js / Laravel Echo:");
        out.println("    new Echo({ broadcaster: 'reverb', key: '" + first.key() + "', wsHost: '" + host + "', wsPort: "
                + settings.port() + ", wssPort: " + settings.port() + ", forceTLS: " + (settings.tls() != null)
                + ", enabledTransports: ['ws', 'wss']"
                + (settings.path().isEmpty() ? "" : ", wsPath: '" + settings.path() + "'") + " });");
        out.println();
    }
}
