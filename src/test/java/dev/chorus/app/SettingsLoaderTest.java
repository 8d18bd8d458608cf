package dev.chorus.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        Path file = dir.resolve("chorus.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void defaultsAreReverbsWhenNothingIsSet() {
        Settings settings = new SettingsLoader(Map.of(), Map.of()).load(null);
        assertEquals("0.0.0.0", settings.host());
        assertEquals(8080, settings.port());
        assertEquals("", settings.path());
        assertNull(settings.hostname());
        assertEquals(10_000, settings.maxRequestSize());
        assertTrue(settings.apps().isEmpty());
    }

    @Test
    void reverbEnvironmentDescribesOneApp() {
        Settings settings = new SettingsLoader(Map.of(), Map.of("REVERB_APP_ID", "1", "REVERB_APP_KEY", "k",
                "REVERB_APP_SECRET", "s", "REVERB_APP_ACTIVITY_TIMEOUT", "45", "REVERB_APP_PING_INTERVAL", "90",
                "REVERB_APP_MAX_CONNECTIONS", "5", "REVERB_APP_MAX_MESSAGE_SIZE", "2000",
                "REVERB_APP_ACCEPT_CLIENT_EVENTS_FROM", "all")).load(null);
        App app = settings.apps().get(0);
        assertEquals("1", app.id());
        assertEquals(45, app.activityTimeoutSeconds());
        assertEquals(Duration.ofSeconds(90), app.pingInterval());
        assertEquals(5, app.maxConnections());
        assertEquals(2000, app.maxMessageSize());
        assertEquals(ClientEventPolicy.ALL, app.clientEvents());
    }

    @Test
    void subscriptionCountingIsOffUnlessTheFileOrTheEnvironmentSwitchesItOn() throws IOException {
        Path file = file("apps:\n  - id: a\n    key: k\n    secret: s\n  - id: b\n    key: k2\n    secret: s2\n"
                + "    subscription_count: true\n");
        Settings fromFile = new SettingsLoader(Map.of("config", file.toString()), Map.of()).load(null);
        assertEquals(false, fromFile.apps().get(0).features().subscriptionCount());
        assertEquals(true, fromFile.apps().get(1).features().subscriptionCount());
        Settings fromEnv = new SettingsLoader(Map.of("config", file.toString()),
                Map.of("REVERB_APP_SUBSCRIPTION_COUNT", "true")).load(null);
        assertEquals(true, fromEnv.apps().get(0).features().subscriptionCount());
        assertEquals(true, fromEnv.apps().get(1).features().subscriptionCount(), "REVERB_APP_* is the first app's only");
        ConfigurationException bad = assertThrows(ConfigurationException.class, () -> new SettingsLoader(
                Map.of("config", file.toString()), Map.of("REVERB_APP_SUBSCRIPTION_COUNT", "sometimes")).load(null));
        assertEquals("Invalid setting apps[0].subscription_count='sometimes' (environment variable REVERB_APP_SUBSCRIPTION_COUNT): true or false", bad.getMessage());
    }

    @Test
    void watchlistEventsAreOnUnlessTheFileOrTheEnvironmentSwitchesThemOff() throws IOException {
        Path file = file("apps:\n  - id: a\n    key: k\n    secret: s\n  - id: b\n    key: k2\n    secret: s2\n"
                + "    watchlist_events: false\n");
        Settings fromFile = new SettingsLoader(Map.of("config", file.toString()), Map.of()).load(null);
        assertEquals(true, fromFile.apps().get(0).features().watchlistEvents());
        assertEquals(false, fromFile.apps().get(1).features().watchlistEvents());
        Settings fromEnv = new SettingsLoader(Map.of("config", file.toString()),
                Map.of("REVERB_APP_WATCHLIST_EVENTS", "false")).load(null);
        assertEquals(false, fromEnv.apps().get(0).features().watchlistEvents());
        ConfigurationException bad = assertThrows(ConfigurationException.class, () -> new SettingsLoader(
                Map.of("config", file.toString()), Map.of("REVERB_APP_WATCHLIST_EVENTS", "maybe")).load(null));
        assertEquals("Invalid setting apps[0].watchlist_events='maybe' (environment variable REVERB_APP_WATCHLIST_EVENTS): true or false", bad.getMessage());
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile() throws IOException {
        Path file = file("server:\n  port: 1111\n  path: /file\napps:\n  - id: a\n    key: k\n    secret: s\n");
        Settings fileOnly = new SettingsLoader(Map.of("config", file.toString()), Map.of()).load(null);
        assertEquals(1111, fileOnly.port());
        assertEquals("/file", fileOnly.path());
        Settings env = new SettingsLoader(Map.of("config", file.toString()), Map.of("REVERB_SERVER_PORT", "2222")).load(null);
        assertEquals(2222, env.port());
        Settings flag = new SettingsLoader(Map.of("config", file.toString(), "port", "3333"),
                Map.of("REVERB_SERVER_PORT", "2222")).load(null);
        assertEquals(3333, flag.port());
    }

    @Test
    void environmentOverridesTheFirstAppOfTheFile() throws IOException {
        Path file = file("apps:\n  - id: a\n    key: k\n    secret: s\n  - id: b\n    key: k2\n    secret: s2\n");
        Settings settings = new SettingsLoader(Map.of(), Map.of("CHORUS_CONFIG", file.toString(), "REVERB_APP_SECRET", "env"))
                .load(null);
        assertEquals("env", settings.apps().get(0).secret());
        assertEquals("s2", settings.apps().get(1).secret());
    }

    @Test
    void everyPerAppOptionIsReadFromTheFile() throws IOException {
        Path file = file("""
                apps:
                  - id: "9"
                    key: key9
                    secret: secret9
                    name: Nine
                    enabled: false
                    allowed_origins: ["*.example.com", "localhost"]
                    allow_missing_origin: true
                    activity_timeout: 20
                    ping_interval: 40
                    pong_timeout: 10
                    max_connections: 100
                    max_message_size: 5000
                    accept_client_events_from: none
                    client_event_rate_limit: 0
                    max_pending_messages: 50
                    max_presence_members: 10
                    max_presence_user_info_size: 2048
                """);
        App app = new SettingsLoader(Map.of("config", file.toString()), Map.of()).load(null).apps().get(0);
        assertEquals("Nine", app.name());
        assertFalse(app.enabled());
        assertEquals(List.of("*.example.com", "localhost"), app.allowedOrigins());
        assertTrue(app.allowMissingOrigin());
        assertEquals(Duration.ofSeconds(10), app.pongTimeout());
        assertEquals(ClientEventPolicy.NONE, app.clientEvents());
        assertEquals(0, app.clientEventRate());
        assertEquals(50, app.maxPendingFrames());
        assertEquals(10, app.maxPresenceMembers());
        assertEquals(2048, app.limits().maxPresenceUserInfoSize());
    }

    @Test
    void presenceUserInfoSizeDefaultsToOneKilobyte() throws IOException {
        Path file = file("apps:\n  - id: a\n    key: k\n    secret: s\n");
        App app = new SettingsLoader(Map.of("config", file.toString()), Map.of()).load(null).apps().get(0);
        assertEquals(1_024, app.limits().maxPresenceUserInfoSize());
    }

    @Test
    void backendRateLimitsAreOffByDefault() throws IOException {
        Path file = file("apps:\n  - id: a\n    key: k\n    secret: s\n");
        App app = new SettingsLoader(Map.of("config", file.toString()), Map.of()).load(null).apps().get(0);
        assertEquals(App.Limits.OFF, app.limits().maxBackendEventsPerSecond());
        assertEquals(App.Limits.OFF, app.limits().maxReadRequestsPerSecond());
    }

    @Test
    void backendRateLimitsAreReadFromTheFileAndTheReverbEnvironmentOverridesThem() throws IOException {
        Path file = file("apps:\n  - id: a\n    key: k\n    secret: s\n    max_backend_events_per_second: 50\n"
                + "    max_read_requests_per_second: 20\n");
        App fromFile = new SettingsLoader(Map.of("config", file.toString()), Map.of()).load(null).apps().get(0);
        assertEquals(50, fromFile.limits().maxBackendEventsPerSecond());
        assertEquals(20, fromFile.limits().maxReadRequestsPerSecond());
        App fromEnv = new SettingsLoader(Map.of("config", file.toString()), Map.of(
                "REVERB_APP_MAX_BACKEND_EVENTS_PER_SECOND", "7", "REVERB_APP_MAX_READ_REQUESTS_PER_SECOND", "3"))
                .load(null).apps().get(0);
        assertEquals(7, fromEnv.limits().maxBackendEventsPerSecond());
        assertEquals(3, fromEnv.limits().maxReadRequestsPerSecond());
    }

    @Test
    void badValuesNameTheSettingTheValueAndWhatIsAllowed() throws IOException {
        ConfigurationException port = assertThrows(ConfigurationException.class,
                () -> new SettingsLoader(Map.of("port", "70000"), Map.of()).load(null));
        assertEquals("Invalid setting port='70000' (flag --port): an integer from 0 to 65535", port.getMessage());
        Path typo = file("apps:\n  - id: a\n    key: k\n    secret: s\n    max_conections: 3\n");
        ConfigurationException unknown = assertThrows(ConfigurationException.class,
                () -> new SettingsLoader(Map.of("config", typo.toString()), Map.of()).load(null));
        assertEquals("Unknown setting apps[0].max_conections in " + typo.toAbsolutePath() + ":5 (did you mean apps[0].max_connections?)",
                unknown.getMessage());
        assertFalse(unknown.getMessage().contains("3'"), unknown.getMessage());
        Path dup = file("apps:\n  - id: a\n    key: k\n    secret: s\n  - id: a\n    key: k2\n    secret: s\n");
        assertThrows(ConfigurationException.class, () -> new SettingsLoader(Map.of("config", dup.toString()), Map.of()).load(null));
    }

    @Test
    void pathIsNormalisedToALeadingSlashWithoutATrailingOne() {
        assertEquals("/ws", new SettingsLoader(Map.of("path", "ws/"), Map.of()).load(null).path());
        assertEquals("", new SettingsLoader(Map.of("path", "/"), Map.of()).load(null).path());
    }

    @Test
    void defaultFileIsReadOnlyWhenPresent() throws IOException {
        Path missing = dir.resolve("absent.yaml");
        assertNull(new SettingsLoader(Map.of(), Map.of()).load(missing).configFile());
        Path present = file("apps:\n  - id: a\n    key: k\n    secret: s\n");
        assertEquals(present, new SettingsLoader(Map.of(), Map.of()).load(present).configFile());
    }

    @Test
    void scalingIsOffByDefaultAndIgnoresLaravelsOtherRedisSettings() {
        Settings settings = new SettingsLoader(Map.of(), Map.of("REDIS_HOST", "tls://not-for-us", "REDIS_PORT", "x")).load(null);
        assertFalse(settings.scaling().enabled());
    }

    @Test
    void redisUrlCarriesTlsCredentialsAndDatabase() {
        Scaling scaling = new SettingsLoader(Map.of(), Map.of("REVERB_SCALING_ENABLED", "true",
                "REDIS_URL", "rediss://user:p%40ss@redis.example.com:6380/3", "REVERB_SCALING_CHANNEL", "tenant-a"))
                .load(null).scaling();
        assertTrue(scaling.enabled());
        assertTrue(scaling.tls());
        assertEquals("redis.example.com", scaling.host());
        assertEquals(6380, scaling.port());
        assertEquals("user", scaling.username());
        assertEquals("p@ss", scaling.password());
        assertEquals(3, scaling.database());
        assertEquals("tenant-a", scaling.prefix());
        assertEquals("rediss://user@redis.example.com:6380/3", scaling.describe());
    }

    @Test
    void redisHostAndPortWithoutUrl() {
        Scaling scaling = new SettingsLoader(Map.of(), Map.of("REVERB_SCALING_ENABLED", "true", "REDIS_HOST", "10.0.0.5",
                "REDIS_PORT", "7000", "REDIS_PASSWORD", "secret", "REDIS_DB", "2")).load(null).scaling();
        assertEquals("10.0.0.5", scaling.host());
        assertEquals(7000, scaling.port());
        assertEquals("secret", scaling.password());
        assertEquals(2, scaling.database());
        assertEquals(Duration.ofSeconds(30), scaling.nodeTimeout());
    }

    @Test
    void redisLinkSettingsHaveDefaultsAndNoSentinelUnlessNamed() {
        Scaling scaling = new SettingsLoader(Map.of(), Map.of("REVERB_SCALING_ENABLED", "true")).load(null).scaling();
        assertNull(scaling.sentinel());
        assertEquals(5_000, scaling.link().outageBuffer());
        assertEquals(Duration.ofSeconds(30), scaling.link().outageBufferAge());
        assertEquals(Duration.ofSeconds(1), scaling.link().pingInterval());
        assertEquals(Duration.ofSeconds(3), scaling.link().pingTimeout());
    }

    @Test
    void sentinelsAndLinkSettingsComeFromTheEnvironment() {
        Scaling scaling = new SettingsLoader(Map.of(), Map.of("REVERB_SCALING_ENABLED", "true",
                "REDIS_SENTINELS", "10.0.0.1:26379, 10.0.0.2:26380", "REDIS_SENTINEL_MASTER", "chorus",
                "REDIS_SENTINEL_PASSWORD", "hunter2", "REDIS_OUTAGE_BUFFER", "100", "REDIS_OUTAGE_BUFFER_SECONDS", "5",
                "REDIS_PING_INTERVAL_MS", "500", "REDIS_PING_TIMEOUT_MS", "2000")).load(null).scaling();
        assertEquals(List.of("10.0.0.1:26379", "10.0.0.2:26380"), scaling.sentinel().addresses());
        assertEquals("chorus", scaling.sentinel().master());
        assertEquals("hunter2", scaling.sentinel().password());
        assertEquals(new Scaling.Link(100, Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofMillis(2000)), scaling.link());
        assertEquals("sentinel master 'chorus' via 10.0.0.1:26379,10.0.0.2:26380/0", scaling.describe());
        assertFalse(scaling.toString().contains("hunter2"), scaling.toString());
    }

    @Test
    void sentinelsAndLinkSettingsComeFromTheYamlFile() throws IOException {
        Path config = file("scaling:\n  enabled: true\n  sentinels: [\"s1:26379\", \"s2:26379\"]\n  sentinel_master: m1\n"
                + "  sentinel_username: watcher\n  outage_buffer: 0\n  outage_buffer_seconds: 10\n  ping_interval_ms: 250\n"
                + "  ping_timeout_ms: 1000\n");
        Scaling scaling = new SettingsLoader(Map.of(SettingsLoader.FLAG_CONFIG, config.toString()), Map.of()).load(null).scaling();
        assertEquals(new Scaling.Sentinel(List.of("s1:26379", "s2:26379"), "m1", "watcher", null), scaling.sentinel());
        assertEquals(new Scaling.Link(0, Duration.ofSeconds(10), Duration.ofMillis(250), Duration.ofMillis(1000)), scaling.link());
    }

    @Test
    void badSentinelAndLinkSettingsAreNamed() {
        ConfigurationException address = assertThrows(ConfigurationException.class, () -> new SettingsLoader(Map.of(),
                Map.of("REVERB_SCALING_ENABLED", "true", "REDIS_SENTINELS", "redis://s1:26379")).load(null));
        assertTrue(address.getMessage().contains("REDIS_SENTINELS"), address.getMessage());
        ConfigurationException timeout = assertThrows(ConfigurationException.class, () -> new SettingsLoader(Map.of(),
                Map.of("REVERB_SCALING_ENABLED", "true", "REDIS_PING_INTERVAL_MS", "2000", "REDIS_PING_TIMEOUT_MS", "1000")).load(null));
        assertTrue(timeout.getMessage().contains("REDIS_PING_TIMEOUT_MS"), timeout.getMessage());
    }

    @Test
    void badRedisSettingsAreNamed() {
        ConfigurationException scheme = assertThrows(ConfigurationException.class, () -> new SettingsLoader(Map.of(),
                Map.of("REVERB_SCALING_ENABLED", "true", "REDIS_URL", "http://x")).load(null));
        assertTrue(scheme.getMessage().startsWith("Invalid setting scaling.url (REDIS_URL)='http://x'"), scheme.getMessage());
        ConfigurationException port = assertThrows(ConfigurationException.class, () -> new SettingsLoader(Map.of(),
                Map.of("REVERB_SCALING_ENABLED", "true", "REDIS_PORT", "0")).load(null));
        assertTrue(port.getMessage().contains("REDIS_PORT"), port.getMessage());
        ConfigurationException flag = assertThrows(ConfigurationException.class, () -> new SettingsLoader(Map.of(),
                Map.of("REVERB_SCALING_ENABLED", "maybe")).load(null));
        assertTrue(flag.getMessage().contains("REVERB_SCALING_ENABLED"), flag.getMessage());
    }

    private ConfigurationException refused(Map<String, String> env, String yaml) throws IOException {
        Map<String, String> flags = yaml == null ? Map.of() : Map.of("config", file(yaml).toString());
        return assertThrows(ConfigurationException.class, () -> new SettingsLoader(flags, env).load(null));
    }

    @Test
    void aMistypedKeyIsNamedWithoutItsValue() throws IOException {
        ConfigurationException typo = refused(Map.of(), "apps:\n  - id: a\n    key: k\n    secert: hunter2\n    secret: s\n");
        assertTrue(typo.getMessage().contains("Unknown setting apps[0].secert"), typo.getMessage());
        assertTrue(typo.getMessage().endsWith("(did you mean apps[0].secret?)"), typo.getMessage());
        assertFalse(typo.getMessage().contains("hunter2"), typo.getMessage());
        ConfigurationException server = refused(Map.of(), "server:\n  metric_token: hunter2\n");
        assertTrue(server.getMessage().contains("server.metric_token"), server.getMessage());
        assertFalse(server.getMessage().contains("hunter2"), server.getMessage());
        // The same file spelled right loads.
        assertEquals("s", new SettingsLoader(Map.of("config", file("apps:\n  - id: a\n    key: k\n    secret: s\n").toString()),
                Map.of()).load(null).apps().get(0).secret());
    }

    @Test
    void aRedisUrlWithAPasswordIsMaskedInItsError() {
        for (String url : new String[] {"redis://user:hunter2@", "http://user:hunter2@redis:6379", "redis://user:hunter2@host:notaport",
                "redis://user:hun@ter2@redis/x", "redis://:hunter2@redis:6379/notadb", "user:hunter2@redis:6379"}) {
            ConfigurationException bad = assertThrows(ConfigurationException.class, () -> new SettingsLoader(Map.of(),
                    Map.of("REVERB_SCALING_ENABLED", "true", "REDIS_URL", url)).load(null), url);
            assertTrue(bad.getMessage().contains("REDIS_URL"), bad.getMessage());
            assertFalse(bad.getMessage().contains("hunter2") || bad.getMessage().contains("ter2"), bad.getMessage());
        }
        ConfigurationException bad = assertThrows(ConfigurationException.class, () -> new SettingsLoader(Map.of(),
                Map.of("REVERB_SCALING_ENABLED", "true", "REDIS_URL", "http://user:hunter2@redis:6379")).load(null));
        assertTrue(bad.getMessage().contains("'http://user:****@redis:6379'"), bad.getMessage());
        // A good one still carries its password to the client, and describes itself without it.
        Scaling scaling = new SettingsLoader(Map.of(), Map.of("REVERB_SCALING_ENABLED", "true",
                "REDIS_URL", "redis://user:hunter2@redis:6379")).load(null).scaling();
        assertEquals("hunter2", scaling.password());
        assertFalse(scaling.describe().contains("hunter2"));
        assertFalse(scaling.toString().contains("hunter2"), scaling.toString());
    }

    @Test
    void secretsAndPasswordsAreNeverEchoedInErrors() throws IOException {
        ConfigurationException blank = refused(Map.of(), "apps:\n  - id: a\n    key: k\n    secret: \"   \"\n");
        assertFalse(blank.getMessage().contains("'   '"), blank.getMessage());
        ConfigurationException mapping = refused(Map.of(), "apps:\n  id: a\n  key: k\n  secret: hunter2\n");
        assertTrue(mapping.getMessage().contains("apps=(a mapping)"), mapping.getMessage());
        assertFalse(mapping.getMessage().contains("hunter2"), mapping.getMessage());
        ConfigurationException tls = refused(Map.of(), "server:\n  tls: [\"keystore_password: hunter2\"]\n");
        assertFalse(tls.getMessage().contains("hunter2"), tls.getMessage());
        ConfigurationException webhook = refused(Map.of(), "apps:\n  - id: a\n    key: k\n    secret: s\n    webhooks:\n"
                + "      - url: \"ftp://hook:hunter2@example.com/in\"\n");
        assertTrue(webhook.getMessage().contains("ftp://hook:****@example.com/in"), webhook.getMessage());
        assertEquals("Invalid setting apps[0].secret=(hidden): x", ConfigurationException.bad("apps[0].secret", "hunter2", "x").getMessage());
        assertEquals("Invalid setting scaling.password (REDIS_PASSWORD)=(hidden): x",
                ConfigurationException.bad("scaling.password (REDIS_PASSWORD)", "hunter2", "x").getMessage());
        assertEquals("Invalid setting server.metrics_token=(hidden): x",
                ConfigurationException.bad("server.metrics_token", "hunter2", "x").getMessage());
        // Ordinary values are still shown: the operator needs to see what was wrong.
        assertEquals("Invalid setting port='http': x", ConfigurationException.bad("port", "http", "x").getMessage());
    }

    @Test
    void recordsThatHoldCredentialsDoNotPrintThem() {
        Settings settings = new SettingsLoader(Map.of(), Map.of("REVERB_APP_ID", "1", "REVERB_APP_KEY", "k",
                "REVERB_APP_SECRET", "hunter2", "REVERB_SCALING_ENABLED", "true", "REDIS_PASSWORD", "hunter2")).load(null);
        assertFalse(settings.apps().get(0).toString().contains("hunter2"), settings.apps().get(0).toString());
        assertFalse(settings.scaling().toString().contains("hunter2"), settings.scaling().toString());
        assertFalse(new Tls(null, null, Path.of("x.p12"), "hunter2").toString().contains("hunter2"));
    }
}
