package dev.chorus.app;

import static dev.chorus.app.SettingValues.bool;
import static dev.chorus.app.SettingValues.credential;
import static dev.chorus.app.SettingValues.first;
import static dev.chorus.app.SettingValues.integer;
import static dev.chorus.app.SettingValues.object;
import static dev.chorus.app.SettingValues.required;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.protocol.Json;
import dev.chorus.protocol.Webhooks;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Builds {@link Settings} with the precedence flags &gt; environment &gt; config file &gt; defaults.
 * Environment names are Reverb's, so a Laravel {@code .env} works unchanged; the {@code REVERB_APP_*}
 * variables describe (or override) the first app, as Reverb's single-app {@code .env} does.
 * Every problem becomes a {@link ConfigurationException} naming the setting.
 */
public final class SettingsLoader {
    /** Flag names, as the launcher's options and as {@code chorus.*} system properties in a container. */
    public static final String FLAG_HOST = "host";
    public static final String FLAG_PORT = "port";
    public static final String FLAG_PATH = "path";
    public static final String FLAG_HOSTNAME = "hostname";
    public static final String FLAG_DEBUG = "debug";
    public static final String FLAG_CONFIG = "config";
    public static final String FLAG_DEMO = "demo";
    public static final String FLAG_TLS_CERT = "tls-cert";
    public static final String FLAG_TLS_KEY = "tls-key";
    public static final String FLAG_TLS_KEYSTORE = "tls-keystore";
    public static final String FLAG_TLS_PASSWORD = "tls-keystore-password";

    public static final String ENV_CONFIG = "CHORUS_CONFIG";
    public static final String DEFAULT_CONFIG_FILE = "chorus.yaml";

    private static final Set<String> SERVER_KEYS = Set.of("host", "port", "path", "hostname", "debug", "max_request_size",
            "timestamp_tolerance", "tls", "metrics_token", "demo", "max_connections", "max_connections_per_address",
            "trusted_proxies", "request_timeout", "min_request_data_rate", "max_requests_per_address", "write_timeout",
            "webhook_concurrency");
    private static final Set<String> SECTIONS = Set.of("server", "scaling", "apps");
    private static final Set<String> TLS_KEYS = Set.of("cert", "key", "keystore", "keystore_password");
    private static final Set<String> APP_KEYS = Set.of("id", "key", "secret", "name", "enabled", "allowed_origins",
            "allow_missing_origin", "activity_timeout", "ping_interval", "pong_timeout", "max_connections",
            "max_message_size", "accept_client_events_from", "client_event_rate_limit", "max_pending_messages",
            "max_presence_members", "cache_ttl", "max_event_channels", "max_event_name_length", "max_event_data_size",
            "max_batch_size", "webhooks", "max_channels_per_connection", "inbound_rate_limit", "inbound_burst",
            "max_channels", "max_cache_entries", "max_cached_bytes", "subscription_count", "max_presence_user_info_size",
            "max_backend_events_per_second", "max_read_requests_per_second", "watchlist_events");
    private static final Set<String> WEBHOOK_KEYS = Set.of("url", "event_types", "channel_prefix");
    private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9_.~\\-]+)*");

    private final Map<String, String> flags;
    /** How messages name a flag: "flag --" + name, or in a container "system property chorus." + name. */
    private final String flagLabel;
    private final ReadEnvironment env;
    /** Of the load in progress: where each value came from, for messages. */
    private SettingSources sources;
    /** Of the load in progress: reads values of the config file, recording their sources. */
    private SettingValues values;

    public SettingsLoader(Map<String, String> flags, Map<String, String> env) {
        this(flags, "flag --", env);
    }

    private SettingsLoader(Map<String, String> flags, String flagLabel, Map<String, String> env) {
        this.flags = flags;
        this.flagLabel = flagLabel;
        this.env = new ReadEnvironment(env);
    }

    /** In a container the flags are {@code -Dchorus.<name>} system properties: messages name them so. */
    public static SettingsLoader ofSystemProperties(Map<String, String> properties, Map<String, String> env) {
        return new SettingsLoader(properties, "system property chorus.", env);
    }

    /**
     * After {@link #load}: a phrase for each {@code REVERB_*}/{@code CHORUS_*} variable that no
     * setting reads but that is one typo away from one that does ({@code CHORUS_MAX_CONECTIONS}).
     */
    public List<String> environmentTypos() {
        return env.typos();
    }

    /** The config file named by {@code --config} or {@code CHORUS_CONFIG}, else null. */
    public Path explicitConfigFile() {
        String named = first(flags.get(FLAG_CONFIG), env.get(ENV_CONFIG));
        return named == null ? null : Path.of(named);
    }

    /**
     * Loads settings. {@code defaultFile} is read when no file is named explicitly and it exists;
     * an explicitly named file must exist.
     */
    public Settings load(Path defaultFile) {
        Path file = explicitConfigFile();
        ConfigFile config = null;
        if (file != null) {
            config = ConfigFile.read(file, flags.get(FLAG_CONFIG) != null ? flagLabel + FLAG_CONFIG : "environment variable " + ENV_CONFIG);
        } else if (defaultFile != null && Files.exists(defaultFile)) {
            file = defaultFile;
            config = ConfigFile.read(file, "the default location");
        }
        sources = new SettingSources(flags, flagLabel, env, config);
        values = new SettingValues(sources);
        try {
            return load(file, config == null ? null : config.root());
        } catch (ConfigurationException e) {
            ConfigurationException attributed = e.from(sources.of(e.value()));
            // A mistyped variable is often why a setting is missing (REVERB_APP_SECERT): said on the same line.
            List<String> typos = env.typos();
            throw typos.isEmpty() ? attributed : new ConfigurationException(attributed.getMessage() + "; " + String.join("; ", typos));
        }
    }

    private Settings load(Path file, JsonNode root) {
        ObjectNode server = object(root, "server", "server");
        if (root != null) {
            Iterator<String> keys = root.fieldNames();
            while (keys.hasNext()) {
                String key = keys.next();
                if (!SECTIONS.contains(key)) {
                    throw ConfigurationException.unknown("section", key, sources.at(root, key), SECTIONS);
                }
            }
        }
        values.checkKeys(server, "server", SERVER_KEYS);

        String host = first(flags.get(FLAG_HOST), env.get("REVERB_SERVER_HOST"), values.text(server, "host"), "0.0.0.0");
        int port = integer("port", first(flags.get(FLAG_PORT), env.get("REVERB_SERVER_PORT"), values.text(server, "port"), "8080"),
                0, 65535);
        String path = normalisePath(first(flags.get(FLAG_PATH), env.get("REVERB_SERVER_PATH"), values.text(server, "path")));
        String hostname = first(flags.get(FLAG_HOSTNAME), env.get("REVERB_HOST"), values.text(server, "hostname"));
        boolean debug = bool("debug", first(flags.get(FLAG_DEBUG), env.get("CHORUS_DEBUG"), values.text(server, "debug"), "false"));
        int maxRequestSize = integer("max_request_size",
                first(env.get("REVERB_MAX_REQUEST_SIZE"), values.text(server, "max_request_size"), "10000"), 1, Integer.MAX_VALUE);

        int tolerance = integer("timestamp_tolerance", first(values.text(server, "timestamp_tolerance"), "600"), 1, 86_400);

        Scaling scaling = new ScalingSettings(env, values).read(object(root, "scaling", "scaling"));
        Tls tls = tls(server == null ? null : object(server, "tls", "server.tls"), hostname);

        List<App> apps = new ArrayList<>();
        JsonNode appNodes = root == null ? null : root.get("apps");
        if (appNodes != null && !appNodes.isNull() && !appNodes.isArray()) {
            throw ConfigurationException.bad("apps", appNodes, "a list of apps");
        }
        int count = appNodes == null || appNodes.isNull() ? 0 : appNodes.size();
        boolean envApp = env.get("REVERB_APP_KEY") != null || env.get("REVERB_APP_ID") != null
                || env.get("REVERB_APP_SECRET") != null;
        for (int i = 0; i < Math.max(count, envApp ? 1 : 0); i++) {
            JsonNode node = i < count ? appNodes.get(i) : null;
            if (node != null && !node.isObject()) {
                throw ConfigurationException.bad("apps[" + i + "]", node, "an app mapping with id, key and secret");
            }
            apps.add(app(i, (ObjectNode) node, i == 0 ? env : Map.of()));
        }
        Set<String> ids = new HashSet<>();
        Set<String> appKeys = new HashSet<>();
        for (App app : apps) {
            if (!ids.add(app.id())) {
                throw ConfigurationException.bad("apps[].id", app.id(), "app ids must be unique");
            }
            if (!appKeys.add(app.key())) {
                throw ConfigurationException.bad("apps[].key", app.key(), "app keys must be unique");
            }
        }
        return new Settings(host, port, path, hostname, debug, maxRequestSize, file, Duration.ofSeconds(tolerance), scaling, tls,
                first(env.get("CHORUS_METRICS_TOKEN"), values.text(server, "metrics_token")),
                bool("demo (--demo, CHORUS_DEMO)", first(flags.get(FLAG_DEMO), env.get("CHORUS_DEMO"), values.text(server, "demo"), "false")),
                apps, new LimitSettings(env, values).read(server));
    }

    /**
     * Explicit PEM or PKCS#12 settings win; with none, a Herd or Valet certificate for the public
     * host name is used when one exists, as Reverb does.
     */
    private Tls tls(ObjectNode node, String hostname) {
        values.checkKeys(node, "server.tls", TLS_KEYS);
        String cert = first(flags.get(FLAG_TLS_CERT), env.get("CHORUS_TLS_CERT"), values.text(node, "cert"));
        String key = first(flags.get(FLAG_TLS_KEY), env.get("CHORUS_TLS_KEY"), values.text(node, "key"));
        String keystore = first(flags.get(FLAG_TLS_KEYSTORE), env.get("CHORUS_TLS_KEYSTORE"), values.text(node, "keystore"));
        String password = first(flags.get(FLAG_TLS_PASSWORD), env.get("CHORUS_TLS_KEYSTORE_PASSWORD"),
                values.text(node, "keystore_password"), "");
        if (keystore != null && (cert != null || key != null)) {
            throw ConfigurationException.bad("tls", keystore, "either a PEM certificate and key, or a PKCS#12 keystore, not both");
        }
        if (keystore != null) {
            return new Tls(null, null, readable("tls keystore (--tls-keystore, CHORUS_TLS_KEYSTORE)", keystore), password);
        }
        if (cert != null || key != null) {
            if (cert == null || key == null) {
                throw ConfigurationException.bad(cert == null ? "tls certificate (--tls-cert, CHORUS_TLS_CERT)"
                        : "tls key (--tls-key, CHORUS_TLS_KEY)", null, "a PEM certificate needs its private key and vice versa");
            }
            return new Tls(readable("tls certificate (--tls-cert, CHORUS_TLS_CERT)", cert),
                    readable("tls key (--tls-key, CHORUS_TLS_KEY)", key), null, null);
        }
        if (hostname != null) {
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            for (String dir : new String[] {"Library/Application Support/Herd/config/valet/Certificates",
                    ".config/valet/Certificates", ".valet/Certificates"}) {
                Path crt = Path.of(home, dir, hostname + ".crt");
                Path pem = Path.of(home, dir, hostname + ".key");
                if (Files.isReadable(crt) && Files.isReadable(pem)) {
                    return new Tls(crt, pem, null, null);
                }
            }
        }
        return null;
    }

    private static Path readable(String setting, String file) {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            String problem = !Files.exists(path) ? "no such file" : Files.isDirectory(path) ? "it is a directory"
                    : Files.isRegularFile(path) ? "permission denied" : "not a regular file";
            throw ConfigurationException.bad(setting, file, "a readable file (" + problem + ")");
        }
        return path;
    }

    private App app(int index, ObjectNode node, Map<String, String> appEnv) {
        String at = "apps[" + index + "].";
        values.checkKeys(node, "apps[" + index + "]", APP_KEYS);
        String id = required(at + "id", first(appEnv.get("REVERB_APP_ID"), values.text(node, "id")), "REVERB_APP_ID");
        String key = required(at + "key", first(appEnv.get("REVERB_APP_KEY"), values.text(node, "key")), "REVERB_APP_KEY");
        String secret = required(at + "secret", first(appEnv.get("REVERB_APP_SECRET"), values.text(node, "secret")), "REVERB_APP_SECRET");
        String name = first(values.text(node, "name"), id);
        boolean enabled = bool(at + "enabled", first(values.text(node, "enabled"), "true"));
        List<String> origins = values.stringList(at + "allowed_origins", node == null ? null : node.get("allowed_origins"));
        boolean allowMissingOrigin = bool(at + "allow_missing_origin", first(values.text(node, "allow_missing_origin"), "false"));
        int activityTimeout = integer(at + "activity_timeout",
                first(appEnv.get("REVERB_APP_ACTIVITY_TIMEOUT"), values.text(node, "activity_timeout"), "30"), 1, 3600);
        int pingInterval = integer(at + "ping_interval",
                first(appEnv.get("REVERB_APP_PING_INTERVAL"), values.text(node, "ping_interval"), "60"), 1, 3600);
        int pongTimeout = integer(at + "pong_timeout", first(values.text(node, "pong_timeout"), "30"), 1, 3600);
        int maxConnections = integer(at + "max_connections",
                first(appEnv.get("REVERB_APP_MAX_CONNECTIONS"), values.text(node, "max_connections"), "-1"), -1, Integer.MAX_VALUE);
        int maxMessageSize = integer(at + "max_message_size",
                first(appEnv.get("REVERB_APP_MAX_MESSAGE_SIZE"), values.text(node, "max_message_size"), "10000"), 100, 16 * 1024 * 1024);
        String policy = first(appEnv.get("REVERB_APP_ACCEPT_CLIENT_EVENTS_FROM"), values.text(node, "accept_client_events_from"), "members");
        ClientEventPolicy clientEvents;
        try {
            clientEvents = ClientEventPolicy.valueOf(policy.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ConfigurationException.bad(at + "accept_client_events_from", policy, "one of members, all, none");
        }
        int rate = integer(at + "client_event_rate_limit", first(values.text(node, "client_event_rate_limit"), "10"), 0, 1_000_000);
        int pending = integer(at + "max_pending_messages", first(values.text(node, "max_pending_messages"), "1000"), 1, 1_000_000);
        int presenceMembers = integer(at + "max_presence_members", first(values.text(node, "max_presence_members"), "100"), 1, 1_000_000);
        int cacheTtl = integer(at + "cache_ttl", first(values.text(node, "cache_ttl"), "1800"), 1, 30 * 86_400);
        App.EventLimits limits = new App.EventLimits(
                integer(at + "max_event_channels", first(values.text(node, "max_event_channels"), "100"), 1, 10_000),
                integer(at + "max_event_name_length", first(values.text(node, "max_event_name_length"), "200"), 1, 10_000),
                integer(at + "max_event_data_size", first(values.text(node, "max_event_data_size"), "10240"), 1, 16 * 1024 * 1024),
                integer(at + "max_batch_size", first(values.text(node, "max_batch_size"), "10"), 1, 10_000));
        App.Limits d = App.Limits.DEFAULTS;
        int perConnection = integer(at + "max_channels_per_connection",
                first(values.text(node, "max_channels_per_connection"), String.valueOf(d.maxChannelsPerConnection())), 1, 1_000_000);
        int inboundRate = integer(at + "inbound_rate_limit", first(values.text(node, "inbound_rate_limit"), String.valueOf(d.inboundRate())),
                0, 1_000_000);
        // The burst must let a reconnecting client re-subscribe to every channel it may hold at once.
        int inboundBurst = integer(at + "inbound_burst", first(values.text(node, "inbound_burst"),
                String.valueOf(Math.max(d.inboundBurst(), perConnection + 200))), 1, 10_000_000);
        if (inboundRate > 0 && inboundBurst < perConnection) {
            throw ConfigurationException.bad(at + "inbound_burst", inboundBurst, "at least max_channels_per_connection ("
                    + perConnection + "), so a reconnecting client can re-subscribe to all its channels at once");
        }
        App.Limits appLimits = new App.Limits(perConnection, inboundRate, inboundBurst,
                integer(at + "max_channels", first(values.text(node, "max_channels"), String.valueOf(d.maxChannels())), 1, 100_000_000),
                integer(at + "max_cache_entries", first(values.text(node, "max_cache_entries"), String.valueOf(d.maxCacheEntries())), 0, 100_000_000),
                integer(at + "max_cached_bytes", first(values.text(node, "max_cached_bytes"), String.valueOf(d.maxCachedBytes())), 0, Integer.MAX_VALUE),
                integer(at + "max_presence_user_info_size", first(values.text(node, "max_presence_user_info_size"),
                        String.valueOf(d.maxPresenceUserInfoSize())), 2, 1_000_000),
                integer(at + "max_backend_events_per_second", first(appEnv.get("REVERB_APP_MAX_BACKEND_EVENTS_PER_SECOND"),
                        values.text(node, "max_backend_events_per_second"), String.valueOf(App.Limits.OFF)), -1, 100_000_000),
                integer(at + "max_read_requests_per_second", first(appEnv.get("REVERB_APP_MAX_READ_REQUESTS_PER_SECOND"),
                        values.text(node, "max_read_requests_per_second"), String.valueOf(App.Limits.OFF)), -1, 100_000_000));
        App.Features features = new App.Features(bool(at + "subscription_count",
                first(appEnv.get("REVERB_APP_SUBSCRIPTION_COUNT"), values.text(node, "subscription_count"),
                        String.valueOf(App.Features.DEFAULTS.subscriptionCount()))),
                bool(at + "watchlist_events", first(appEnv.get("REVERB_APP_WATCHLIST_EVENTS"), values.text(node, "watchlist_events"),
                        String.valueOf(App.Features.DEFAULTS.watchlistEvents()))));
        credential(at + "id", id);
        credential(at + "key", key);
        if (secret.isBlank()) {
            throw ConfigurationException.bad(at + "secret", secret, "a non-empty secret");
        }
        return new App(id, key, secret, name, enabled, origins, allowMissingOrigin, activityTimeout,
                Duration.ofSeconds(pingInterval), Duration.ofSeconds(pongTimeout), maxConnections, maxMessageSize,
                clientEvents, rate, pending, presenceMembers, Duration.ofSeconds(cacheTtl), limits,
                webhooks(at, node == null ? null : node.get("webhooks")), appLimits, features);
    }

    private List<App.Webhook> webhooks(String at, JsonNode node) {
        List<App.Webhook> webhooks = new ArrayList<>();
        if (node == null || node.isNull()) {
            return webhooks;
        }
        if (!node.isArray()) {
            throw ConfigurationException.bad(at + "webhooks", node, "a list of {url, event_types, channel_prefix}");
        }
        for (int i = 0; i < node.size(); i++) {
            String where = at + "webhooks[" + i + "]";
            JsonNode item = node.get(i);
            if (!item.isObject()) {
                throw ConfigurationException.bad(where, item, "a mapping with url (and event_types, channel_prefix)");
            }
            values.checkKeys((ObjectNode) item, where, WEBHOOK_KEYS);
            String url = values.text(item, "url");
            URI uri;
            try {
                uri = url == null ? null : URI.create(url);
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null || uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw ConfigurationException.bad(where + ".url", url, "an http:// or https:// URL");
            }
            Set<String> types = new HashSet<>();
            JsonNode typeNodes = item.get("event_types");
            if (typeNodes == null || typeNodes.isNull()) {
                types.addAll(Webhooks.ALL);
            } else {
                for (JsonNode type : typeNodes.isArray() ? typeNodes : Json.MAPPER.createArrayNode().add(typeNodes)) {
                    if (!type.isTextual() || !Webhooks.ALL.contains(type.textValue())) {
                        throw ConfigurationException.bad(where + ".event_types", type, "any of "
                                + String.join(", ", new TreeSet<>(Webhooks.ALL)));
                    }
                    types.add(type.textValue());
                }
            }
            webhooks.add(new App.Webhook(uri, types, values.text(item, "channel_prefix")));
        }
        return webhooks;
    }
    private static String normalisePath(String raw) {
        if (raw == null) {
            return "";
        }
        String path = raw.trim();
        if (path.isEmpty() || path.equals("/")) {
            return "";
        }
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (!PATH.matcher(path).matches()) {
            throw ConfigurationException.bad("path (REVERB_SERVER_PATH)", raw, "a URL path such as /ws, letters, digits, '-', '_', '.', '~'");
        }
        return path;
    }
}
