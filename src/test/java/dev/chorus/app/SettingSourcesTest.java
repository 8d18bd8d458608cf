package dev.chorus.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad value names where it came from: the flag, the environment variable or the config file's line. */
class SettingSourcesTest {
    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        Path file = dir.resolve("chorus.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static String refused(Map<String, String> flags, Map<String, String> env) {
        return assertThrows(ConfigurationException.class, () -> new SettingsLoader(flags, env).load(null)).getMessage();
    }

    /** Values as the launcher gets them: fresh strings, not literals a test might share between maps. */
    private static Map<String, String> fresh(String... pairs) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], new String(pairs[i + 1]));
        }
        return map;
    }

    @Test
    void aBadFlagIsNamedAsTheFlag() {
        assertEquals("Invalid setting port='99999' (flag --port): an integer from 0 to 65535",
                refused(fresh("port", "99999"), Map.of()));
    }

    @Test
    void inAContainerAFlagIsNamedAsTheSystemPropertyItIs() {
        assertEquals("Invalid setting port='99999' (system property chorus.port): an integer from 0 to 65535",
                assertThrows(ConfigurationException.class, () -> SettingsLoader.ofSystemProperties(fresh("port", "99999"), Map.of())
                        .load(null)).getMessage());
    }

    @Test
    void aBadEnvironmentVariableIsNamedAsTheVariable() {
        assertEquals("Invalid setting port='x' (environment variable REVERB_SERVER_PORT): an integer from 0 to 65535",
                refused(Map.of(), fresh("REVERB_SERVER_PORT", "x")));
        assertTrue(refused(Map.of(), fresh("CHORUS_MAX_CONNECTIONS", "many"))
                .contains("='many' (environment variable CHORUS_MAX_CONNECTIONS)"));
    }

    @Test
    void aBadValueInTheFileIsNamedByFileAndLine() throws IOException {
        Path file = file("# comment\nserver:\n  host: 127.0.0.1\n  port: abc\n");
        assertEquals("Invalid setting port='abc' (" + file.toAbsolutePath() + ":4): an integer from 0 to 65535",
                refused(fresh("config", file.toString()), Map.of()));
    }

    @Test
    void aBadValueDeepInAnAppIsNamedByItsLine() throws IOException {
        Path file = file("apps:\n  - id: a\n    key: k\n    secret: s\n  - id: b\n    key: k2\n    secret: s2\n"
                + "    allowed_origins:\n      - app.example.com\n      - \"https://x.com\"\n");
        assertEquals("Invalid setting apps[1].allowed_origins='https://x.com' (" + file.toAbsolutePath()
                + ":10): host globs only, without scheme (e.g. 'app.example.com')", refused(fresh("config", file.toString()), Map.of()));
    }

    @Test
    void theWinningSourceIsTheOneNamed() throws IOException {
        Path file = file("server:\n  port: 8080\napps:\n  - id: a\n    key: k\n    secret: s\n    max_message_size: 5000\n");
        // The file's value is fine; the environment's overrides it and is the bad one.
        assertTrue(refused(fresh("config", file.toString()), fresh("REVERB_APP_MAX_MESSAGE_SIZE", "7"))
                .contains("='7' (environment variable REVERB_APP_MAX_MESSAGE_SIZE)"));
        assertTrue(refused(fresh("config", file.toString(), "port", "-1"), fresh("REVERB_SERVER_PORT", "9000"))
                .contains("='-1' (flag --port)"));
    }

    @Test
    void aHiddenValueStillNamesItsSource() throws IOException {
        Path file = file("apps:\n  - id: a\n    key: k\n    secret: \"   \"\n");
        String message = refused(fresh("config", file.toString()), Map.of());
        assertFalse(message.contains("'   '"), message);
        assertTrue(message.contains("=(hidden) (" + file.toAbsolutePath() + ":4)"), message);
    }

    @Test
    void aMistypedKeyIsNamedByLineWithTheNearestKnownKey() throws IOException {
        Path file = file("server:\n  host: 127.0.0.1\n  prot: 9000\n");
        assertEquals("Unknown setting server.prot in " + file.toAbsolutePath() + ":3 (did you mean server.port?)",
                refused(fresh("config", file.toString()), Map.of()));
        Path section = file("sever:\n  port: 9000\n");
        assertEquals("Unknown section sever in " + section.toAbsolutePath() + ":1 (did you mean server?)",
                refused(fresh("config", section.toString()), Map.of()));
    }

    @Test
    void aKeyNearNothingListsWhatIsAllowed() throws IOException {
        Path file = file("scaling:\n  zzzzzzzz: 1\n");
        String message = refused(fresh("config", file.toString()), Map.of());
        assertTrue(message.startsWith("Unknown setting scaling.zzzzzzzz in " + file.toAbsolutePath() + ":2; allowed: channel, "), message);
    }

    @Test
    void aComputedValueIsNamedWithoutASource() {
        assertEquals("Invalid setting x='y': z", ConfigurationException.bad("x", "y", "z").from(null).getMessage());
        ConfigurationException plain = new ConfigurationException("plain");
        assertEquals("plain", plain.from("flag --port").getMessage());
    }

    @Test
    void aMistypedEnvironmentVariableIsNamedWithTheOneItIsNearest() {
        SettingsLoader loader = new SettingsLoader(Map.of(), fresh("CHORUS_MAX_CONECTIONS", "10", "CHORUS_JAVA_OPTS", "-Xmx1g",
                "REVERB_PORT", "443", "REVERB_SCHEME", "https", "REVERB_SERVER_PROT", "9000", "CHORUS_UNRELATED_THING", "x"));
        loader.load(null);
        assertEquals(java.util.List.of(
                "environment variable CHORUS_MAX_CONECTIONS is not a Chorus setting and is ignored (did you mean CHORUS_MAX_CONNECTIONS?)",
                "environment variable REVERB_SERVER_PROT is not a Chorus setting and is ignored (did you mean REVERB_SERVER_PORT?)"),
                loader.environmentTypos());
    }

    @Test
    void aSettingMissingBecauseItsVariableIsMistypedSaysSoOnTheSameLine() {
        String message = refused(Map.of(), fresh("REVERB_APP_ID", "1", "REVERB_APP_KEY", "k", "REVERB_APP_SECERT", "hunter2"));
        assertTrue(message.startsWith("Invalid setting apps[0].secret=(empty): required (config file or REVERB_APP_SECRET); "
                + "environment variable REVERB_APP_SECERT is not a Chorus setting and is ignored (did you mean REVERB_APP_SECRET?)"), message);
        assertFalse(message.contains("hunter2"), message);
    }
}
