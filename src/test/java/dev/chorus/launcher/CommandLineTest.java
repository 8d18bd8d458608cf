package dev.chorus.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.ConfigurationException;
import dev.chorus.app.Settings;
import dev.chorus.app.SettingsLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's one-line answers to mistyped commands and options, and how health finds its server. */
class CommandLineTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Launcher.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownCommandListsEveryCommand() {
        Run bogus = run("bogus");
        assertEquals(2, bogus.exit());
        assertEquals("Unknown command 'bogus'. Commands: start, init, restart, health, bench. See --help.", bogus.err().strip());
    }

    @Test
    void aMistypedCommandSuggestsTheNearestOne() {
        assertTrue(run("stat").err().startsWith("Unknown command 'stat' (did you mean start?). Commands: "), run("stat").err());
        assertTrue(run("helth").err().startsWith("Unknown command 'helth' (did you mean health?)."), run("helth").err());
    }

    @Test
    void anOptionBeforeTheCommandSaysWhereOptionsGo() {
        Run early = run("--tls-keystore-password=hunter2", "start");
        assertEquals(2, early.exit());
        assertEquals("Unknown command '--tls-keystore-password': options follow a command, as in java -jar chorus.jar start "
                + "--tls-keystore-password ... (see --help)", early.err().strip());
    }

    @Test
    void anOptionWithoutItsValueSaysSo() {
        Run port = run("start", "--port");
        assertEquals(2, port.exit());
        assertEquals("Option --port needs a value (--port VALUE or --port=VALUE)", port.err().strip());
    }

    @Test
    void aMistypedOptionIsOneLineNamingTheNearestOption() {
        Run prot = run("start", "--prot", "19301");
        assertEquals(2, prot.exit());
        assertEquals("Unknown option --prot (did you mean --port?)", prot.err().strip());
        assertEquals("", prot.out());
    }

    @Test
    void aMistypedOptionWithAValueKeepsTheValueOut() {
        ConfigurationException typo = assertThrows(ConfigurationException.class,
                () -> Options.parse(List.of("--tls-keystore-pasword=hunter2"), Options.START));
        assertEquals("Unknown option --tls-keystore-pasword, value not shown (did you mean --tls-keystore-password?)", typo.getMessage());
    }

    @Test
    void anOptionNearNothingListsTheAllowedOnes() {
        ConfigurationException far = assertThrows(ConfigurationException.class, () -> Options.parse(List.of("--zzzzzz"), Options.INIT));
        assertEquals("Unknown option --zzzzzz; allowed: --config, --force", far.getMessage());
    }

    @Test
    void healthTakesEveryOptionStartTakes() {
        assertEquals(Options.START, Options.HEALTH);
        assertEquals("9", Options.parse(List.of("--port", "9", "--path", "/ws", "--tls-cert", "c"), Options.HEALTH).get("port"));
    }

    private Settings settings(Map<String, String> flags) {
        return new SettingsLoader(flags, Map.of()).load(null);
    }

    @Test
    void healthAsksLoopbackWhenStartListensOnEveryAddress() {
        assertEquals(URI.create("http://127.0.0.1:9000/up"), HealthCheck.target(settings(Map.of("port", "9000"))));
        assertEquals(URI.create("http://127.0.0.1:9000/up"), HealthCheck.target(settings(Map.of("port", "9000", "host", "::"))));
    }

    @Test
    void healthAsksTheAddressStartListensOn() {
        assertEquals(URI.create("http://127.0.0.2:9000/up"), HealthCheck.target(settings(Map.of("port", "9000", "host", "127.0.0.2"))));
        assertEquals(URI.create("http://[::1]:9000/up"), HealthCheck.target(settings(Map.of("port", "9000", "host", "::1"))));
    }

    @Test
    void healthUsesTheRoutePrefixAndTls() throws IOException {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "not checked here");
        Path key = Files.writeString(dir.resolve("key.pem"), "not checked here");
        assertEquals(URI.create("https://127.0.0.1:8443/realtime/up"), HealthCheck.target(settings(Map.of("port", "8443",
                "path", "realtime/", "tls-cert", cert.toString(), "tls-key", key.toString()))));
    }

    @Test
    void anUnreachableServerIsExplainedNotNull() {
        URI uri = URI.create("http://127.0.0.1:9/up");
        assertEquals("connection refused on 127.0.0.1:9 (is Chorus running with these settings?)",
                HealthCheck.why(new ConnectException(), uri));
        assertEquals("connection refused on 127.0.0.1:9 (is Chorus running with these settings?)",
                HealthCheck.why(new IOException(null, new ConnectException()), uri));
        assertEquals("no connection within 3 s to 127.0.0.1:9", HealthCheck.why(new HttpConnectTimeoutException("x"), uri));
        assertEquals("no answer within 3 s from 127.0.0.1:9", HealthCheck.why(new HttpTimeoutException("x"), uri));
        assertTrue(HealthCheck.why(new javax.net.ssl.SSLHandshakeException("Unsupported or unrecognized SSL message"), uri)
                .startsWith("TLS handshake failed on 127.0.0.1:9 (Unsupported"));
        assertFalse(HealthCheck.why(new IOException(), uri).contains("null"));
    }

    @Test
    void healthOfADeadPortIsOneLineAndExitOne() throws IOException {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = HealthCheck.run(settings(Map.of("port", String.valueOf(port), "host", "127.0.0.1")), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, exit);
        assertEquals("http://127.0.0.1:" + port + "/up unreachable: connection refused on 127.0.0.1:" + port
                + " (is Chorus running with these settings?)", err.toString(StandardCharsets.UTF_8).strip());
    }
}
