package dev.chorus.launcher;

import dev.chorus.app.ConfigurationException;
import dev.chorus.app.RestartFile;
import dev.chorus.app.Settings;
import dev.chorus.app.SettingsLoader;
import dev.chorus.app.Suggestions;
import dev.chorus.launcher.bench.Bench;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code java -jar chorus.jar <command>}: runs the same chorus.war that containers run, in an
 * embedded Jetty 12. Settings are validated here first with the WAR's own loader, so a bad one stops
 * startup with one line before anything listens.
 */
public final class Launcher {
    static final int EXIT_BAD_SETTINGS = 2;
    static final int EXIT_START_FAILED = 1;
    private static final List<String> COMMANDS = List.of("start", "init", "restart", "health", "bench");

    /**
     * Frameworks that narrate their own start-up: only their warnings (one harmless Jersey warning
     * about JAF not at all). Loggers are held here so the levels stick (java.util.logging keeps them weakly).
     */
    private static final Map<String, Level> QUIET = Map.of(
            "org.eclipse.jetty", Level.WARNING,
            "org.jboss.weld", Level.WARNING,
            "org.glassfish.jersey.message.internal.MessagingBinders", Level.SEVERE);
    private static final List<Logger> QUIET_LOGGERS = QUIET.keySet().stream()
            .map(Logger::getLogger).toList();

    private Launcher() {
    }

    public static void main(String[] args) {
        // Jetty and the WAR both log through SLF4J to java.util.logging: one format, one line per event.
        // Naming the provider keeps each classloader's SLF4J from tripping over the other's.
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s - %5$s%6$s%n");
        System.setProperty("slf4j.provider", "org.slf4j.jul.JULServiceProvider");
        System.setProperty("slf4j.internal.verbosity", "WARN");
        QUIET.forEach((name, level) -> Logger.getLogger(name).setLevel(level));
        int code = run(args, System.out, System.err);
        if (code >= 0) {
            System.exit(code);
        }
    }

    /** @return an exit code, or -1 when a server was started and keeps the JVM alive */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || isHelp(args[0])) {
            out.print(Usage.MAIN);
            return args.length == 0 ? EXIT_BAD_SETTINGS : 0;
        }
        String command = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            switch (command) {
                case "start":
                    if (rest.stream().anyMatch(Launcher::isHelp)) {
                        out.print(Usage.START);
                        return 0;
                    }
                    return start(Options.parse(rest, Options.START), out, err);
                case "init":
                    if (rest.stream().anyMatch(Launcher::isHelp)) {
                        out.print(Usage.INIT);
                        return 0;
                    }
                    return init(Options.parse(rest, Options.INIT), out);
                case "restart":
                    if (rest.stream().anyMatch(Launcher::isHelp)) {
                        out.print(Usage.RESTART);
                        return 0;
                    }
                    return restart(Options.parse(rest, Options.RESTART), out, err);
                case "health":
                    if (rest.stream().anyMatch(Launcher::isHelp)) {
                        out.print(Usage.HEALTH);
                        return 0;
                    }
                    return health(Options.parse(rest, Options.HEALTH), out, err);
                case "bench":
                    if (rest.stream().anyMatch(Launcher::isHelp)) {
                        out.print(Usage.BENCH);
                        return 0;
                    }
                    return bench(Options.parse(rest, Options.BENCH), out, err);
                default:
                    String option = command.split("=", 2)[0];
                    if (option.startsWith("--") && Options.START.contains(option.substring(2))) {
                        // Named without a value: --tls-keystore-password=... holds a password.
                        err.println("Unknown command '" + option + "': options follow a command, as in java -jar chorus.jar start "
                                + option + " ... (see --help)");
                        return EXIT_BAD_SETTINGS;
                    }
                    err.println("Unknown command '" + command + "'" + Suggestions.didYouMean(command, COMMANDS, "")
                            + ". Commands: " + String.join(", ", COMMANDS) + ". See --help.");
                    return EXIT_BAD_SETTINGS;
            }
        } catch (ConfigurationException e) {
            err.println(e.getMessage());
            return EXIT_BAD_SETTINGS;
        } catch (RuntimeException e) {
            err.println("Chorus failed to start: " + EmbeddedServer.rootMessage(e));
            return EXIT_START_FAILED;
        }
    }

    private static boolean isHelp(String arg) {
        return arg.equals("--help") || arg.equals("-h") || arg.equals("help");
    }

    private static int restart(Map<String, String> flags, PrintStream out, PrintStream err) {
        Settings settings = new SettingsLoader(flags, System.getenv()).load(Path.of(SettingsLoader.DEFAULT_CONFIG_FILE));
        Path file = RestartFile.beside(settings.configFile());
        try {
            RestartFile.signal(file);
        } catch (IOException e) {
            err.println("Cannot write the restart file " + file + ": " + e.getMessage());
            return EXIT_START_FAILED;
        }
        out.println("Broadcasting Chorus restart signal: " + file + " (nodes started from " + file.getParent() + ")");
        if (settings.scaling().enabled()) {
            try {
                long listening = RestartSignal.publish(settings.scaling());
                out.println("  and over Redis at " + settings.scaling().describe() + " to " + listening + " listening node(s)");
            } catch (RuntimeException e) {
                err.println("Redis at " + settings.scaling().describe() + " unreachable: " + e.getMessage());
                return EXIT_START_FAILED;
            }
        }
        return 0;
    }

    private static int health(Map<String, String> flags, PrintStream out, PrintStream err) {
        return HealthCheck.run(new SettingsLoader(flags, System.getenv()).load(Path.of(SettingsLoader.DEFAULT_CONFIG_FILE)), out, err);
    }

    private static int bench(Map<String, String> flags, PrintStream out, PrintStream err) {
        try {
            return new Bench(flags, out).run();
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return EXIT_BAD_SETTINGS;
        } catch (Exception e) {
            err.println("Bench failed: " + e);
            return EXIT_START_FAILED;
        }
    }

    private static int init(Map<String, String> flags, PrintStream out) {
        Path file = Path.of(flags.getOrDefault(SettingsLoader.FLAG_CONFIG, SettingsLoader.DEFAULT_CONFIG_FILE));
        if (Files.exists(file) && !flags.containsKey("force")) {
            throw ConfigurationException.bad("config", file, "file exists; pass --force to overwrite it");
        }
        Credentials.writeDevConfig(file);
        Settings settings = new SettingsLoader(Map.of(SettingsLoader.FLAG_CONFIG, file.toString()), Map.of()).load(null);
        out.println("Wrote " + file.toAbsolutePath() + " (readable by its owner only)");
        Credentials.print(settings, out, true, Map.of());
        return 0;
    }

    private static int start(Map<String, String> flags, PrintStream out, PrintStream err) {
        Map<String, String> env = System.getenv();
        SettingsLoader loader = new SettingsLoader(flags, env);
        Path defaultFile = Path.of(SettingsLoader.DEFAULT_CONFIG_FILE);
        Settings settings = loader.load(defaultFile);
        if (settings.apps().isEmpty() && loader.explicitConfigFile() != null) {
            throw ConfigurationException.bad("apps", "(none)", "the config file " + settings.configFile()
                    + " must list at least one app with id, key and secret");
        }
        EmbeddedServer embedded;
        try {
            // Built and bound before anything is printed: unreadable TLS material is a bad setting like any
            // other, and a port in use or an address this machine does not have is one line naming the
            // setting, with a non-zero exit a supervisor can trust.
            embedded = EmbeddedServer.bind(settings);
        } catch (IOException | RuntimeException e) {
            if (e instanceof ConfigurationException bad) {
                throw bad;
            }
            err.println(bindProblem(settings, e));
            return EXIT_START_FAILED;
        }
        boolean generated = false;
        if (settings.apps().isEmpty()) {
            // Zero-configuration development: credentials generated once and kept for the next start;
            // only once the port is ours, so a start that cannot listen leaves no file and prints no credentials.
            Credentials.writeDevConfig(defaultFile);
            out.println("Generated development credentials in " + defaultFile.toAbsolutePath() + " (readable by its owner only)");
            settings = loader.load(defaultFile);
            generated = true;
        }
        loader.environmentTypos().forEach(typo -> err.println("Warning: " + typo));
        Credentials.print(settings, out, generated, env);

        // The webapp reads the same inputs with the same loader: it gets the flags and the chosen file
        // through its HostLink.
        Map<String, String> forWebapp = new HashMap<>(flags);
        if (settings.configFile() != null) {
            forWebapp.put(SettingsLoader.FLAG_CONFIG, settings.configFile().toAbsolutePath().toString());
        }

        int failed = embedded.start(settings, forWebapp, err);
        if (failed >= 0) {
            return failed;
        }
        // Our own hook rather than Jetty's: clients must hear "reconnect" (4200) before Jetty closes
        // their sockets with 1001. Only once started: its clean exit (0) must not cover a failed start.
        Runtime.getRuntime().addShutdownHook(new Thread(embedded::stopAndExit, "chorus-shutdown"));
        HealthFile.write(env, settings, embedded.port(), err);
        out.println("Chorus listening on " + (settings.tls() == null ? "" : "TLS ") + settings.host() + ":" + embedded.port()
                + (settings.path().isEmpty() ? "" : " under " + settings.path()) + (settings.debug() ? " (debug)" : "")
                + (settings.demo() ? "; demo page at " + settings.path() + "/demo" : ""));
        out.flush();
        return -1;
    }

    /** One line for a listener that could not be opened, naming the address and the settings behind it. */
    static String bindProblem(Settings settings, Throwable failure) {
        String where = settings.host() + ":" + settings.port();
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            String message = cause.getMessage() == null ? "" : cause.getMessage();
            if (cause instanceof BindException && message.contains("in use")) {
                return "Cannot listen on " + where + ": the port is already in use (set --port, REVERB_SERVER_PORT or server.port)";
            }
            if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
                return "Cannot listen on " + where + ": the host name '" + settings.host() + "' does not resolve to an address"
                        + " (set --host, REVERB_SERVER_HOST or server.host; 0.0.0.0 listens on all)";
            }
            if (cause instanceof BindException) {
                return "Cannot listen on " + where + ": '" + settings.host() + "' is not an address of this machine"
                        + " (set --host, REVERB_SERVER_HOST or server.host; 0.0.0.0 listens on all)";
            }
            if (cause instanceof SocketException && message.contains("ermission")) {
                return "Cannot listen on " + where + ": permission denied (ports below 1024 need privileges; set --port)";
            }
        }
        return "Cannot listen on " + where + ": " + EmbeddedServer.rootMessage(failure);
    }
}
