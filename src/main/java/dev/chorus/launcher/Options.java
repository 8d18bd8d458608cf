package dev.chorus.launcher;

import dev.chorus.app.ConfigurationException;
import dev.chorus.app.SettingsLoader;
import dev.chorus.app.Suggestions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Command-line options: {@code --name value}, {@code --name=value}, and bare switches. */
final class Options {
    static final Set<String> START = Set.of(SettingsLoader.FLAG_HOST, SettingsLoader.FLAG_PORT, SettingsLoader.FLAG_PATH,
            SettingsLoader.FLAG_HOSTNAME, SettingsLoader.FLAG_CONFIG, SettingsLoader.FLAG_DEBUG, SettingsLoader.FLAG_TLS_CERT,
            SettingsLoader.FLAG_TLS_KEY, SettingsLoader.FLAG_TLS_KEYSTORE, SettingsLoader.FLAG_TLS_PASSWORD,
            SettingsLoader.FLAG_DEMO);
    static final Set<String> BENCH = Set.of("subscribers", "rate", "duration", "payload", "host", "port", "path", "key",
            "secret", "channel", "pid", "server-heap", "scenario", "app-id", "connections", "warmup", "warmup-connections", "publish-port",
            "client-threads", "source-addresses", "concurrency", "churn", "sample", "subscribe");
    static final Set<String> RESTART = Set.of(SettingsLoader.FLAG_CONFIG);
    /** Start's own options: health must find the server exactly where start put it (port, prefix, TLS). */
    static final Set<String> HEALTH = START;
    static final Set<String> INIT = Set.of(SettingsLoader.FLAG_CONFIG, "force");
    private static final Set<String> SWITCHES = Set.of(SettingsLoader.FLAG_DEBUG, SettingsLoader.FLAG_DEMO, "force");

    private Options() {
    }

    static Map<String, String> parse(List<String> args, Set<String> allowed) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw ConfigurationException.bad("argument", arg, "options start with -- (see --help)");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!allowed.contains(name)) {
                throw unknown(name, value != null, allowed);
            }
            if (SWITCHES.contains(name)) {
                flags.put(name, value == null ? "true" : value);
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new ConfigurationException("Option --" + name + " needs a value (--" + name + " VALUE or --" + name + "=VALUE)");
                }
                value = args.get(++i);
            }
            flags.put(name, value);
        }
        return flags;
    }

    /**
     * {@code Unknown option --prot (did you mean --port?)}; the list of options only when none is near.
     * Named without its value: a mistyped --tls-keystore-password=... still holds a password.
     */
    static ConfigurationException unknown(String name, boolean hadValue, Set<String> allowed) {
        String suggestion = Suggestions.didYouMean(name, allowed, "--");
        return new ConfigurationException("Unknown option --" + name + (hadValue ? ", value not shown" : "")
                + (suggestion.isEmpty() ? "; allowed: --" + String.join(", --", new TreeSet<>(allowed)) : suggestion));
    }
}
