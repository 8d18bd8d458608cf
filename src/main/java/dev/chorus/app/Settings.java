package dev.chorus.app;

import java.nio.file.Path;
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
 */
public record Settings(
        String host,
        int port,
        String path,
        String hostname,
        boolean debug,
        int maxRequestSize,
        Path configFile,
        java.time.Duration timestampTolerance,
        Scaling scaling,
        Tls tls,
        String metricsToken,
        boolean demo,
        List<App> apps) {

    public Settings {
        apps = List.copyOf(apps);
    }
}
