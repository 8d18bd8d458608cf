package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code java -jar chorus.jar}: commands, zero-configuration start, settings precedence and errors. */
class LauncherIT {
    private static final Pattern KEY = Pattern.compile("REVERB_APP_KEY=(\\S+)");
    private static final Pattern SECRET = Pattern.compile("secret: \"(\\w+)\"");

    private static ChorusProcess run(Path dir, Map<String, String> env, String... args) throws IOException {
        return ChorusProcess.launch(dir, env, List.of(args));
    }

    private static Path tempDir() throws IOException {
        return Files.createTempDirectory("chorus-launcher-it-");
    }

    /** The secret in a generated config file. */
    private static String secretIn(Path file) throws IOException {
        Matcher matcher = SECRET.matcher(Files.readString(file));
        assertTrue(matcher.find(), "a secret in " + file);
        return matcher.group(1);
    }

    /** Owner read and write, nothing for group and others (skipped where the file system has no POSIX modes). */
    private static void assertOwnerOnly(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
        }
    }

    private static String appKey(String output) {
        Matcher matcher = KEY.matcher(output);
        assertTrue(matcher.find(), "credentials printed:\n" + output);
        return matcher.group(1);
    }

    @Test
    void helpIsPrintedForEveryCommand() throws Exception {
        for (String[] args : new String[][] {{"--help"}, {"start", "--help"}, {"init", "--help"}}) {
            ChorusProcess process = run(tempDir(), Map.of(), args);
            assertEquals(0, process.awaitExit(30), String.join(" ", args));
            assertTrue(process.output().contains("Usage: java -jar chorus.jar"), process.output());
        }
    }

    @Test
    void startWithoutAnyConfigurationGeneratesCredentialsOnceAndKeepsThemAcrossRestarts() throws Exception {
        Path dir = tempDir();
        int port = ChorusProcess.freePort();
        String key;
        String secret;
        try (ChorusProcess first = run(dir, Map.of(), "start", "--host", "127.0.0.1", "--port", String.valueOf(port))) {
            first.awaitOutput("Chorus listening on", 60);
            key = appKey(first.output());
            assertTrue(first.output().contains("new Echo({ broadcaster: 'reverb', key: '" + key + "'"), first.output());
            assertTrue(Files.isRegularFile(dir.resolve("chorus.yaml")));
            assertOwnerOnly(dir.resolve("chorus.yaml"));
            secret = secretIn(dir.resolve("chorus.yaml"));
            assertTrue(first.output().contains("REVERB_APP_SECRET=" + secret), "a generated secret is shown once:\n" + first.output());
            try (Wire.Client client = Wire.open(port, key)) {
                assertFalse(client.socketId().isEmpty());
            }
        }
        try (ChorusProcess second = run(dir, Map.of(), "start", "--host", "127.0.0.1", "--port", String.valueOf(port))) {
            second.awaitOutput("Chorus listening on", 60);
            assertEquals(key, appKey(second.output()), "same credentials after a restart");
            assertFalse(second.output().contains("Generated development credentials"));
            assertFalse(second.output().contains(secret), "no secret on a normal start:\n" + second.output());
            assertTrue(second.output().contains("secret: in " + dir.resolve("chorus.yaml").toRealPath())
                    || second.output().contains("secret: in " + dir.resolve("chorus.yaml").toAbsolutePath()), second.output());
            // ... and it still works: a private channel signed with the secret from the file.
            try (Wire.Client client = Wire.open(port, key)) {
                String auth = key + ":" + new dev.chorus.protocol.Signer(secret).sign(client.socketId() + ":private-ops");
                client.send(Wire.subscribe("private-ops", auth));
                assertTrue(client.next().contains("subscription_succeeded"));
            }
        }
    }

    @Test
    void initWritesAConfigFileAndRefusesToOverwriteIt() throws Exception {
        Path dir = tempDir();
        ChorusProcess init = run(dir, Map.of(), "init");
        assertEquals(0, init.awaitExit(30), init.output());
        String key = appKey(init.output());
        assertTrue(Files.readString(dir.resolve("chorus.yaml")).contains(key));
        assertTrue(init.output().contains("REVERB_APP_SECRET=" + secretIn(dir.resolve("chorus.yaml"))), init.output());
        assertOwnerOnly(dir.resolve("chorus.yaml"));
        ChorusProcess again = run(dir, Map.of(), "init");
        assertEquals(2, again.awaitExit(30));
        assertTrue(again.output().contains("--force"), again.output());
        ChorusProcess forced = run(dir, Map.of(), "init", "--force");
        assertEquals(0, forced.awaitExit(30), forced.output());
        assertFalse(Files.readString(dir.resolve("chorus.yaml")).contains(key), "new credentials");
        assertOwnerOnly(dir.resolve("chorus.yaml"));
    }

    @Test
    void overwritingAWorldReadableFileLeavesAnOwnerOnlyOne() throws Exception {
        Path dir = tempDir();
        Path file = dir.resolve("chorus.yaml");
        Files.writeString(file, "# old\n");
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
        ChorusProcess forced = run(dir, Map.of(), "init", "--force");
        assertEquals(0, forced.awaitExit(30), forced.output());
        assertOwnerOnly(file);
        assertTrue(Files.readString(file).contains("secret:"));
    }

    @Test
    void aSecretFromTheEnvironmentIsNamedNotPrinted() throws Exception {
        int port = ChorusProcess.freePort();
        Map<String, String> env = Map.of("REVERB_APP_ID", "5", "REVERB_APP_KEY", "env-key", "REVERB_APP_SECRET", "hunter2-env");
        try (ChorusProcess chorus = run(tempDir(), env, "start", "--host", "127.0.0.1", "--port", String.valueOf(port))) {
            chorus.awaitOutput("Chorus listening on", 60);
            assertTrue(chorus.output().contains("secret: from REVERB_APP_SECRET"), chorus.output());
            assertFalse(chorus.output().contains("hunter2"), chorus.output());
            try (Wire.Client client = Wire.open(port, "env-key")) {
                assertFalse(client.socketId().isEmpty());
            }
        }
    }

    @Test
    void credentialsInBadSettingsAreNeverPrinted() throws Exception {
        Map<String, String> app = Map.of("REVERB_APP_ID", "1", "REVERB_APP_KEY", "k", "REVERB_APP_SECRET", "s");
        record Case(Map<String, String> env, String yaml, List<String> args, String mentions) {
        }
        List<Case> cases = List.of(
                new Case(merge(app, Map.of("REVERB_SCALING_ENABLED", "true", "REDIS_URL", "http://ops:hunter2@redis.example:6379")),
                        null, List.of(), "http://ops:****@redis.example:6379"),
                new Case(merge(app, Map.of("REVERB_SCALING_ENABLED", "true", "REDIS_URL", "redis://ops:hunter2@redis.example:port")),
                        null, List.of(), "REDIS_URL"),
                new Case(Map.of(), "apps:\n  - id: 1\n    key: k\n    secret: s\n    secert: hunter2\n", List.of(),
                        "Unknown setting apps[0].secert"),
                new Case(Map.of(), "server:\n  metrics_tokn: hunter2\napps:\n  - id: 1\n    key: k\n    secret: s\n", List.of(),
                        "server.metrics_tokn"),
                new Case(Map.of(), "apps:\n  id: 1\n  key: k\n  secret: hunter2\n", List.of(), "apps=(a mapping)"),
                new Case(app, null, List.of("--tls-keystore-pasword=hunter2"), "--tls-keystore-pasword"));
        for (Case c : cases) {
            Path dir = tempDir();
            List<String> args = new java.util.ArrayList<>(List.of("start", "--host", "127.0.0.1"));
            if (c.yaml() != null) {
                Files.writeString(dir.resolve("chorus.yaml"), c.yaml());
            }
            args.addAll(c.args());
            ChorusProcess process = ChorusProcess.launch(dir, c.env(), args);
            int exit = process.awaitExit(60);
            String output = process.output().strip();
            assertEquals(2, exit, c + "\n" + output);
            assertEquals(1, output.lines().count(), "one line: " + output);
            assertTrue(output.contains(c.mentions()), c.mentions() + " in: " + output);
            assertFalse(output.contains("hunter2"), "no credential in: " + output);
        }
        // The same settings, right, start: the masking hides values, not the setting.
        try (ChorusProcess chorus = ChorusProcess.start("apps:\n  - id: 1\n    key: k\n    secret: hunter2\n")) {
            assertFalse(chorus.output().contains("hunter2"), chorus.output());
            assertTrue(chorus.output().contains("REVERB_APP_KEY=k"), chorus.output());
        }
    }

    @Test
    void everyBadSettingStopsStartupWithOneLineNamingItAndANonZeroExit() throws Exception {
        Map<String, String> app = Map.of("REVERB_APP_ID", "1", "REVERB_APP_KEY", "k", "REVERB_APP_SECRET", "s");
        record Case(Map<String, String> env, String yaml, List<String> args, String mentions) {
        }
        List<Case> cases = List.of(
                new Case(app, null, List.of("--port", "99999"), "port='99999'"),
                new Case(app, null, List.of("--port", "http"), "port='http'"),
                new Case(merge(app, Map.of("REVERB_APP_MAX_MESSAGE_SIZE", "lots")), null, List.of(), "max_message_size='lots'"),
                new Case(merge(app, Map.of("REVERB_APP_ACCEPT_CLIENT_EVENTS_FROM", "everyone")), null, List.of(),
                        "accept_client_events_from='everyone'"),
                new Case(merge(app, Map.of("REVERB_SERVER_PATH", "/has space")), null, List.of(), "REVERB_SERVER_PATH"),
                new Case(Map.of("REVERB_APP_KEY", "k"), null, List.of(), "REVERB_APP_ID"),
                new Case(Map.of(), "apps:\n  - id: 1\n    key: k\n    secret: s\n    pingInterval: 5\n", List.of(),
                        "apps[0].pingInterval"),
                new Case(Map.of(), "apps:\n  - id: 1\n    key: k\n    secret: s\n    allowed_origins: [\"https://x.com\"]\n",
                        List.of(), "allowed_origins='https://x.com'"),
                new Case(Map.of(), "apps: [\n", List.of(), "Invalid YAML at "),
                new Case(Map.of(), null, List.of("--config", "/no/such/file.yaml"), "no such file"),
                new Case(app, null, List.of("--bogus"), "--bogus"));
        for (Case c : cases) {
            Path dir = tempDir();
            List<String> args = new java.util.ArrayList<>(List.of("start", "--host", "127.0.0.1"));
            if (c.yaml() != null) {
                Files.writeString(dir.resolve("chorus.yaml"), c.yaml());
            }
            args.addAll(c.args());
            ChorusProcess process = ChorusProcess.launch(dir, c.env(), args);
            int exit = process.awaitExit(60);
            String output = process.output().strip();
            assertEquals(2, exit, c + "\n" + output);
            assertEquals(1, output.lines().count(), "one line: " + output);
            assertTrue(output.contains(c.mentions()), c.mentions() + " in: " + output);
            assertFalse(output.contains("Exception"), output);
        }
    }

    @Test
    void reverbEnvironmentVariablesConfigureTheServerAsALaravelEnvDoes() throws Exception {
        int port = ChorusProcess.freePort();
        Map<String, String> env = Map.of("REVERB_APP_ID", "77", "REVERB_APP_KEY", "env-key", "REVERB_APP_SECRET", "env-secret",
                "REVERB_SERVER_HOST", "127.0.0.1", "REVERB_SERVER_PORT", String.valueOf(port),
                "REVERB_APP_ACTIVITY_TIMEOUT", "45");
        try (ChorusProcess chorus = run(tempDir(), env, "start")) {
            chorus.awaitOutput("Chorus listening on", 60);
            try (RawWebSocket ws = RawWebSocket.connect(port, "/app/env-key?protocol=7")) {
                assertTrue(ws.nextText(5_000).endsWith("\\\"activity_timeout\\\":45}\"}"));
            }
        }
    }

    @Test
    void flagsWinOverEnvironmentWhichWinsOverTheConfigFile() throws Exception {
        Path dir = tempDir();
        int filePort = ChorusProcess.freePort();
        int envPort = ChorusProcess.freePort();
        int flagPort = ChorusProcess.freePort();
        Files.writeString(dir.resolve("chorus.yaml"), "server:\n  host: 127.0.0.1\n  port: " + filePort
                + "\napps:\n  - id: \"1\"\n    key: file-key\n    secret: s\n");
        try (ChorusProcess chorus = run(dir, Map.of("REVERB_SERVER_PORT", String.valueOf(envPort)), "start")) {
            chorus.awaitOutput("Chorus listening on", 60);
            assertTrue(chorus.output().contains("127.0.0.1:" + envPort), chorus.output());
        }
        try (ChorusProcess chorus = run(dir, Map.of("REVERB_SERVER_PORT", String.valueOf(envPort)), "start", "--port",
                String.valueOf(flagPort))) {
            chorus.awaitOutput("Chorus listening on", 60);
            assertTrue(chorus.output().contains("127.0.0.1:" + flagPort), chorus.output());
            try (Wire.Client client = Wire.open(flagPort, "file-key")) {
                assertFalse(client.socketId().isEmpty());
            }
        }
    }

    @Test
    void pathPrefixPutsEveryRouteUnderItAndDebugLogsFrames() throws Exception {
        String yaml = "apps:\n  - id: \"1\"\n    key: prefix-key\n    secret: s\n";
        try (ChorusProcess chorus = ChorusProcess.start(yaml, "--path", "/realtime", "--debug")) {
            try (RawWebSocket ws = RawWebSocket.connect(chorus.port, "/realtime/app/prefix-key?protocol=7")) {
                assertTrue(ws.nextText(5_000).contains("pusher:connection_established"));
                ws.sendText("{\"event\":\"pusher:ping\",\"data\":{}}");
                assertEquals("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", ws.nextText(5_000));
            }
            assertThrows(IOException.class, () -> RawWebSocket.connect(chorus.port, "/app/prefix-key?protocol=7"));
            HttpResponse<String> up = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + chorus.port + "/realtime/up")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, up.statusCode());
            assertEquals("{\"health\":\"OK\"}", up.body());
            chorus.awaitOutput("{\"event\":\"pusher:ping\",\"data\":{}}", 10);
            chorus.awaitOutput("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", 10);
        }
    }

    @Test
    void withoutDebugNoFrameIsLogged() throws Exception {
        String yaml = "apps:\n  - id: \"1\"\n    key: quiet-key\n    secret: s\n";
        try (ChorusProcess chorus = ChorusProcess.start(yaml)) {
            try (RawWebSocket ws = RawWebSocket.connect(chorus.port, "/app/quiet-key?protocol=7")) {
                ws.nextText(5_000);
                ws.sendText("{\"event\":\"pusher:ping\",\"data\":{}}");
                ws.nextText(5_000);
            }
            // The barrier: once the process has exited, whatever it was going to log is in its output.
            chorus.close();
            assertFalse(chorus.output().contains("pusher:ping"), chorus.output());
            assertFalse(chorus.output().contains("pusher:connection_established"), chorus.output());
        }
    }

    @Test
    void unknownRoutesAnswerJsonWithoutAStackTrace() throws Exception {
        int port = TestServer.shared().port;
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/nothing/here")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, response.statusCode());
        assertEquals("{\"error\":\"Not found\"}", response.body());
    }

    @Test
    void sigtermTellsClientsToReconnectAndExitsZero() throws Exception {
        String yaml = "apps:\n  - id: \"1\"\n    key: stop-key\n    secret: s\n";
        ChorusProcess chorus = ChorusProcess.start(yaml);
        try (RawWebSocket ws = RawWebSocket.connect(chorus.port, "/app/stop-key?protocol=7")) {
            ws.nextText(5_000);
            chorus.process().destroy();
            List<String> texts = new java.util.ArrayList<>();
            RawWebSocket.Frame close = ws.awaitClose(20_000, texts);
            assertEquals(List.of(Wire.error(4200, "Server is restarting, please reconnect")), texts);
            assertEquals(4200, close.closeCode());
            assertEquals(0, chorus.awaitExit(30), "SIGTERM is a clean stop:\n" + chorus.output());
            assertTrue(chorus.output().contains("Chorus stopped"), chorus.output());
            assertFalse(chorus.output().contains("failed"), "nothing fails on the way down:\n" + chorus.output());
        } finally {
            chorus.close();
        }
    }

    @Test
    void healthCommandExitsZeroOnlyWhenTheServerAnswers() throws Exception {
        int port = TestServer.shared().port;
        ChorusProcess healthy = run(tempDir(), Map.of(), "health", "--port", String.valueOf(port));
        assertEquals(0, healthy.awaitExit(30), healthy.output());
        assertTrue(healthy.output().contains("{\"health\":\"OK\"}"), healthy.output());
        ChorusProcess down = run(tempDir(), Map.of(), "health", "--port", String.valueOf(ChorusProcess.freePort()));
        assertEquals(1, down.awaitExit(30), down.output());
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> out = new java.util.HashMap<>(a);
        out.putAll(b);
        return out;
    }

    @Test
    void aPortInUseOrAnAddressThisMachineLacksIsOneLineNamingTheSettingAndAFailingExit() throws Exception {
        String yaml = "apps:\n  - id: \"1\"\n    key: k\n    secret: s3cr3t\n";
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            Path dir = tempDir();
            Files.writeString(dir.resolve("chorus.yaml"), yaml);
            ChorusProcess process = ChorusProcess.launch(dir, Map.of(),
                    List.of("start", "--host", "127.0.0.1", "--port", String.valueOf(taken.getLocalPort())));
            int exit = process.awaitExit(60);
            String output = process.output().strip();
            assertEquals(1, exit, "a supervisor must not read a failed start as a clean stop:\n" + output);
            assertEquals(1, output.lines().count(), "one line: " + output);
            assertTrue(output.contains("127.0.0.1:" + taken.getLocalPort()) && output.contains("already in use")
                    && output.contains("--port"), output);
            assertFalse(output.contains("s3cr3t") || output.contains("REVERB_APP_KEY=k"), "nothing else printed: " + output);
        }
        Path dir = tempDir();
        Files.writeString(dir.resolve("chorus.yaml"), yaml);
        ChorusProcess process = ChorusProcess.launch(dir, Map.of(), List.of("start", "--host", "192.0.2.77", "--port", "0"));
        int exit = process.awaitExit(60);
        String output = process.output().strip();
        assertEquals(1, exit, output);
        assertEquals(1, output.lines().count(), "one line: " + output);
        assertTrue(output.contains("'192.0.2.77' is not an address of this machine") && output.contains("--host"), output);
    }
}
