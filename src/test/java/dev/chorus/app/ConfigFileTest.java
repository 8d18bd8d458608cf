package dev.chorus.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A config file that cannot be used says what is wrong with it, where, and who named it. */
class ConfigFileTest {
    @TempDir
    Path dir;

    private static String refused(Map<String, String> flags, Map<String, String> env) {
        return assertThrows(ConfigurationException.class, () -> new SettingsLoader(flags, env).load(null)).getMessage();
    }

    @Test
    void aMissingFileNamedByTheFlagSaysSoAndNamesTheFlag() {
        Path missing = dir.resolve("nope.yaml");
        assertEquals("Cannot read the config file " + missing + " (from flag --config): no such file",
                refused(Map.of("config", missing.toString()), Map.of()));
    }

    @Test
    void aDirectoryNamedByTheEnvironmentIsCalledADirectory() {
        assertEquals("Cannot read the config file " + dir + " (from environment variable CHORUS_CONFIG): it is a directory, not a file",
                refused(Map.of(), Map.of("CHORUS_CONFIG", dir.toString())));
    }

    @Test
    void anUnreadableFileIsPermissionDenied() throws IOException {
        Path file = dir.resolve("locked.yaml");
        Files.writeString(file, "server:\n  port: 1\n");
        assumeFalse(!file.getFileSystem().supportedFileAttributeViews().contains("posix"), "no POSIX permissions here");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        // root reads any file whatever its mode: there is nothing to refuse.
        assumeFalse(Files.isReadable(file), "running as root, who can read a mode 000 file");
        assertEquals("Cannot read the config file " + file + " (from flag --config): permission denied",
                refused(Map.of("config", file.toString()), Map.of()));
    }

    @Test
    void aSyntaxErrorNamesFileLineAndColumn() throws IOException {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "server:\n  port: 1\napps: [\n  {id: a, key: k, secret: s}\n");
        String message = refused(Map.of("config", file.toString()), Map.of());
        assertTrue(message.startsWith("Invalid YAML at " + file + ":5:1 (config file from flag --config): "), message);
        assertTrue(message.contains("while parsing a flow sequence"), message);
        assertEquals(1, message.lines().count(), message);
    }

    @Test
    void aBadIndentNamesItsLine() throws IOException {
        Path file = dir.resolve("indent.yaml");
        Files.writeString(file, "server:\n  port: 1\n host: 0.0.0.0\n");
        String message = refused(Map.of("config", file.toString()), Map.of());
        assertTrue(message.startsWith("Invalid YAML at " + file + ":3:2 "), message);
    }

    @Test
    void aFileThatIsNotAMappingSaysWhatItIs() throws IOException {
        Path file = dir.resolve("list.yaml");
        Files.writeString(file, "- server\n- apps\n");
        assertEquals("Invalid config file " + file + ":1 (from flag --config): a YAML mapping with 'server' and 'apps' expected, found a list",
                refused(Map.of("config", file.toString()), Map.of()));
    }

    @Test
    void theDefaultFileIsNamedAsTheDefault() throws IOException {
        Path file = dir.resolve("chorus.yaml");
        Files.writeString(file, "apps: [\n");
        String message = assertThrows(ConfigurationException.class,
                () -> new SettingsLoader(Map.of(), Map.of()).load(file)).getMessage();
        assertTrue(message.contains("(config file from the default location)"), message);
    }

    @Test
    void anEmptyFileIsNoSettingsAtAll() throws IOException {
        Path file = dir.resolve("empty.yaml");
        Files.writeString(file, "# nothing yet\n");
        assertTrue(new SettingsLoader(Map.of("config", file.toString()), Map.of()).load(null).apps().isEmpty());
    }

    @Test
    void aFileThatIsNotUtf8SaysSo() throws IOException {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, new byte[] {'a', 'p', 'p', 's', ':', ' ', (byte) 0xE9, '\n'});
        assertEquals("Cannot read the config file " + file + " (from flag --config): not UTF-8 text",
                refused(Map.of("config", file.toString()), Map.of()));
    }

    @Test
    void aByteOrderMarkIsNoSyntaxError() throws IOException {
        Path file = dir.resolve("bom.yaml");
        Files.writeString(file, "\uFEFFapps:\n  - id: a\n    key: k\n    secret: s\n");
        assertEquals("a", new SettingsLoader(Map.of("config", file.toString()), Map.of()).load(null).apps().get(0).id());
    }
}
