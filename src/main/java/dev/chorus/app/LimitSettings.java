package dev.chorus.app;

import static dev.chorus.app.SettingValues.first;
import static dev.chorus.app.SettingValues.integer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.protocol.ClientAddress;
import dev.chorus.protocol.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The server-wide limits of the {@code server} section (connections, trusted proxies, request and
 * write timeouts, webhook concurrency), each also settable as {@code CHORUS_<NAME>}. Apart from
 * {@link SettingsLoader} because they share one naming rule and one precedence, unlike the rest of
 * {@code server}.
 */
final class LimitSettings {
    private final ReadEnvironment env;
    private final SettingValues values;

    LimitSettings(ReadEnvironment env, SettingValues values) {
        this.env = env;
        this.values = values;
    }

    /** Server-wide bounds: {@code server.<name>} or {@code CHORUS_<NAME>}, defaults from {@link Settings.Limits#DEFAULTS}. */
    Settings.Limits read(ObjectNode server) {
        Settings.Limits d = Settings.Limits.DEFAULTS;
        int maxConnections = serverInt(server, "max_connections", d.maxConnections(), 0, Integer.MAX_VALUE);
        int perAddress = serverInt(server, "max_connections_per_address", d.maxConnectionsPerAddress(), 0, Integer.MAX_VALUE);
        String proxiesEnv = env.get("CHORUS_TRUSTED_PROXIES");
        JsonNode proxiesNode = server == null ? null : server.get("trusted_proxies");
        List<String> proxies;
        if (proxiesEnv != null) {
            proxies = new ArrayList<>();
            for (String part : proxiesEnv.split(",")) {
                if (!part.isBlank()) {
                    proxies.add(part.trim());
                }
            }
        } else if (proxiesNode == null || proxiesNode.isNull()) {
            proxies = d.trustedProxies();
        } else {
            proxies = new ArrayList<>();
            for (JsonNode item : proxiesNode.isArray() ? proxiesNode : Json.MAPPER.createArrayNode().add(proxiesNode)) {
                if (!item.isTextual()) {
                    throw ConfigurationException.bad("server.trusted_proxies", item, "a list of IP addresses");
                }
                proxies.add(item.textValue().trim());
            }
        }
        for (String proxy : proxies) {
            if (!ClientAddress.isAddressOrRange(proxy)) {
                throw ConfigurationException.bad("server.trusted_proxies (CHORUS_TRUSTED_PROXIES)", proxy,
                        "IP addresses or CIDR ranges, e.g. 10.0.0.5, 172.16.0.0/12, ::1");
            }
        }
        int requestTimeout = serverInt(server, "request_timeout", (int) d.requestTimeout().toSeconds(), 1, 3600);
        int minRate = serverInt(server, "min_request_data_rate", d.minRequestDataRate(), 0, Integer.MAX_VALUE);
        int requests = serverInt(server, "max_requests_per_address", d.maxRequestsPerAddress(), 0, Integer.MAX_VALUE);
        int writeTimeout = serverInt(server, "write_timeout", (int) d.writeTimeout().toSeconds(), 1, 3600);
        int webhooks = serverInt(server, "webhook_concurrency", d.webhookConcurrency(), 1, 1_000);
        return new Settings.Limits(maxConnections, perAddress, proxies, Duration.ofSeconds(requestTimeout), minRate, requests,
                Duration.ofSeconds(writeTimeout), webhooks);
    }

    /** {@code CHORUS_<NAME>} over {@code server.<name>} over the default. */
    private int serverInt(ObjectNode server, String name, int fallback, int min, int max) {
        String envName = "CHORUS_" + name.toUpperCase(Locale.ROOT);
        return integer("server." + name + " (" + envName + ")",
                first(env.get(envName), values.text(server, name), String.valueOf(fallback)), min, max);
    }
}
