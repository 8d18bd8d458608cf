package dev.chorus.app;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything Chorus is configured with, after flags, environment, config file and defaults were
 * merged and validated by {@link SettingsLoader}.
 *
 * @param path           route prefix in front of every route ({@code ""} or {@code /something})
 * @param hostname       public host name (Herd/Valet certificate lookup, printed client snippet)
 * @param maxRequestSize largest HTTP API request body in bytes
 * @param configFile     the file the settings came from, or null when none was read
 * @param timestampTolerance how far an HTTP API request's {@code auth_timestamp} may be from now
 * @param scaling        Redis scaling, {@link Scaling#DISABLED} for one node
 * @param tls            TLS for the launcher's listener, or null for plain HTTP/WS
 * @param metricsToken   bearer token {@code /metrics} requires, or null when it is open
 * @param demo           serve the Laravel Echo demo page at {@code /demo} (it signs any channel: not for production)
 * @param limits         server-wide bounds: connections, request timing, writes, webhooks
 */
public record Settings(
        String host,
        int port,
        String path,
        String hostname,
        boolean debug,
        int maxRequestSize,
        Path configFile,
        Duration timestampTolerance,
        Scaling scaling,
        Tls tls,
        String metricsToken,
        boolean demo,
        List<App> apps,
        Limits limits) {

    public Settings {
        apps = List.copyOf(apps);
    }

    /**
     * Server-wide bounds, each a named setting ({@code server.<name>}, {@code CHORUS_<NAME>}).
     *
     * @param maxConnections          {@code max_connections}: sockets open at once on this node, every app;
     *                                0 means 90 % of the process's open-file limit
     * @param maxConnectionsPerAddress {@code max_connections_per_address}: sockets from one client address (0: none)
     * @param trustedProxies          {@code trusted_proxies}: addresses whose {@code X-Forwarded-For} names the client
     * @param requestTimeout          {@code request_timeout}: deadline for a request's headers and body to arrive
     * @param minRequestDataRate      {@code min_request_data_rate}: bytes per second a request body must keep up (0: none)
     * @param maxRequestsPerAddress   {@code max_requests_per_address}: HTTP requests in flight from one address (0: none)
     * @param writeTimeout            {@code write_timeout}: a socket whose write is stuck this long is closed
     * @param webhookConcurrency      {@code webhook_concurrency}: deliveries in flight per webhook URL
     */
    public record Limits(int maxConnections, int maxConnectionsPerAddress, List<String> trustedProxies,
                         Duration requestTimeout, int minRequestDataRate, int maxRequestsPerAddress,
                         Duration writeTimeout, int webhookConcurrency) {
        public static final Limits DEFAULTS = new Limits(0, 1_000, List.of("127.0.0.1", "::1"),
                Duration.ofSeconds(10), 1_024, 64, Duration.ofSeconds(30), 2);

        public Limits {
            trustedProxies = List.copyOf(trustedProxies);
        }

        /** {@link #maxConnections} with 0 resolved against this process's open-file limit. */
        public int effectiveMaxConnections() {
            if (maxConnections > 0) {
                return maxConnections;
            }
            if (ManagementFactory.getOperatingSystemMXBean()
                    instanceof UnixOperatingSystemMXBean unix) {
                long files = unix.getMaxFileDescriptorCount();
                if (files > 0 && files < Integer.MAX_VALUE) {
                    return (int) Math.max(64, files * 9 / 10);
                }
            }
            return 10_000;
        }
    }
}
