package dev.chorus.app;

import static dev.chorus.app.SettingValues.CREDENTIAL;
import static dev.chorus.app.SettingValues.bool;
import static dev.chorus.app.SettingValues.first;
import static dev.chorus.app.SettingValues.integer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code scaling} section and its {@code REDIS_*}/{@code REVERB_SCALING_*} variables: the Redis
 * connection (URL or host, port, database, credentials), Sentinel, the outage buffer and the link
 * watchdog. Apart from {@link SettingsLoader} because it is a subsystem of its own with its own
 * variables, and grows with it; each value is environment over config file over default, as everywhere.
 */
final class ScalingSettings {
    static final Set<String> KEYS = Set.of("enabled", "channel", "url", "host", "port", "username",
            "password", "database", "node_timeout", "sentinels", "sentinel_master", "sentinel_username", "sentinel_password",
            "outage_buffer", "outage_buffer_seconds", "ping_interval_ms", "ping_timeout_ms");

    private final ReadEnvironment env;
    private final SettingValues values;

    ScalingSettings(ReadEnvironment env, SettingValues values) {
        this.env = env;
        this.values = values;
    }

    /** The {@code scaling} mapping ({@code null} when the file has none) as {@link Scaling}. */
    Scaling read(ObjectNode node) {
        values.checkKeys(node, "scaling", KEYS);
        boolean enabled = bool("scaling.enabled (REVERB_SCALING_ENABLED)",
                first(env.get("REVERB_SCALING_ENABLED"), values.text(node, "enabled"), "false"));
        String prefix = first(env.get("REVERB_SCALING_CHANNEL"), values.text(node, "channel"), "chorus");
        if (!CREDENTIAL.matcher(prefix).matches()) {
            throw ConfigurationException.bad("scaling.channel (REVERB_SCALING_CHANNEL)", prefix,
                    "1-128 characters of letters, digits, '-', '_', '.'");
        }
        int nodeTimeout = integer("scaling.node_timeout", first(values.text(node, "node_timeout"), "30"), 3, 3600);
        if (!enabled) {
            // A Laravel .env carries REDIS_* for other uses: only a node that scales needs them right.
            return Scaling.DISABLED;
        }
        String url = first(env.get("REDIS_URL"), values.text(node, "url"));
        String host = first(env.get("REDIS_HOST"), values.text(node, "host"), "127.0.0.1");
        int port = integer("scaling.port (REDIS_PORT)", first(env.get("REDIS_PORT"), values.text(node, "port"), "6379"), 1, 65535);
        String username = first(env.get("REDIS_USERNAME"), values.text(node, "username"));
        String password = first(env.get("REDIS_PASSWORD"), values.text(node, "password"));
        int database = integer("scaling.database (REDIS_DB)", first(env.get("REDIS_DB"), values.text(node, "database"), "0"), 0, 1_000_000);
        boolean tls = false;
        if (url != null) {
            URI uri;
            try {
                uri = URI.create(url.trim());
            } catch (IllegalArgumentException e) {
                throw ConfigurationException.bad("scaling.url (REDIS_URL)", url, "redis://[user:password@]host[:port][/db] or rediss://...");
            }
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equals("redis") || scheme.equals("rediss")) || uri.getHost() == null) {
                throw ConfigurationException.bad("scaling.url (REDIS_URL)", url, "redis://[user:password@]host[:port][/db] or rediss://...");
            }
            tls = scheme.equals("rediss");
            host = uri.getHost();
            port = uri.getPort() > 0 ? uri.getPort() : 6379;
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                String user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
                username = user.isEmpty() ? null : user;
                password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : password;
            }
            String path = uri.getPath();
            if (path != null && path.length() > 1) {
                database = integer("scaling.url (REDIS_URL) database", path.substring(1), 0, 1_000_000);
            }
        } else if (host.contains("://") || host.contains("/")) {
            throw ConfigurationException.bad("scaling.host (REDIS_HOST)", host, "a host name or address; put URLs in REDIS_URL");
        }
        return new Scaling(enabled, prefix, host, port, tls, username, password, database, Duration.ofSeconds(nodeTimeout),
                sentinel(node), link(node));
    }

    private Scaling.Sentinel sentinel(ObjectNode node) {
        String raw = env.get("REDIS_SENTINELS");
        List<String> addresses = new ArrayList<>();
        JsonNode yaml = node == null ? null : node.get("sentinels");
        if (raw == null && yaml != null && yaml.isArray()) {
            for (JsonNode item : yaml) {
                addresses.add(item.asText().trim());
            }
        } else {
            String list = first(raw, values.text(node, "sentinels"));
            if (list != null) {
                for (String part : list.split(",")) {
                    if (!part.isBlank()) {
                        addresses.add(part.trim());
                    }
                }
            }
        }
        if (addresses.isEmpty()) {
            return null;
        }
        for (String address : addresses) {
            int colon = address.lastIndexOf(':');
            if (colon <= 0 || address.contains("/")) {
                throw ConfigurationException.bad("scaling.sentinels (REDIS_SENTINELS)", address, "host:port[,host:port...]");
            }
            integer("scaling.sentinels (REDIS_SENTINELS) port", address.substring(colon + 1), 1, 65535);
        }
        String master = first(env.get("REDIS_SENTINEL_MASTER"), values.text(node, "sentinel_master"), "mymaster");
        if (!CREDENTIAL.matcher(master).matches()) {
            throw ConfigurationException.bad("scaling.sentinel_master (REDIS_SENTINEL_MASTER)", master,
                    "1-128 characters of letters, digits, '-', '_', '.'");
        }
        return new Scaling.Sentinel(addresses, master, first(env.get("REDIS_SENTINEL_USERNAME"), values.text(node, "sentinel_username")),
                first(env.get("REDIS_SENTINEL_PASSWORD"), values.text(node, "sentinel_password")));
    }

    private Scaling.Link link(ObjectNode node) {
        Scaling.Link defaults = Scaling.Link.DEFAULT;
        int buffer = integer("scaling.outage_buffer (REDIS_OUTAGE_BUFFER)", first(env.get("REDIS_OUTAGE_BUFFER"),
                values.text(node, "outage_buffer"), String.valueOf(defaults.outageBuffer())), 0, 1_000_000);
        int age = integer("scaling.outage_buffer_seconds (REDIS_OUTAGE_BUFFER_SECONDS)", first(env.get("REDIS_OUTAGE_BUFFER_SECONDS"),
                values.text(node, "outage_buffer_seconds"), String.valueOf(defaults.outageBufferAge().toSeconds())), 1, 3600);
        int interval = integer("scaling.ping_interval_ms (REDIS_PING_INTERVAL_MS)", first(env.get("REDIS_PING_INTERVAL_MS"),
                values.text(node, "ping_interval_ms"), String.valueOf(defaults.pingInterval().toMillis())), 100, 60_000);
        int timeout = integer("scaling.ping_timeout_ms (REDIS_PING_TIMEOUT_MS)", first(env.get("REDIS_PING_TIMEOUT_MS"),
                values.text(node, "ping_timeout_ms"), String.valueOf(defaults.pingTimeout().toMillis())), 200, 600_000);
        if (timeout <= interval) {
            throw ConfigurationException.bad("scaling.ping_timeout_ms (REDIS_PING_TIMEOUT_MS)", timeout,
                    "more than scaling.ping_interval_ms (" + interval + ")");
        }
        return new Scaling.Link(buffer, Duration.ofSeconds(age), Duration.ofMillis(interval), Duration.ofMillis(timeout));
    }
}
