package dev.chorus.launcher;

import dev.chorus.host.HostLink;
import dev.chorus.host.SocketEntry;
import dev.chorus.app.ConfigurationException;
import dev.chorus.app.RestartFile;
import dev.chorus.app.Settings;
import dev.chorus.app.SettingsLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

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
    private static final Map<String, java.util.logging.Level> QUIET = Map.of(
            "org.eclipse.jetty", java.util.logging.Level.WARNING,
            "org.jboss.weld", java.util.logging.Level.WARNING,
            "org.glassfish.jersey.message.internal.MessagingBinders", java.util.logging.Level.SEVERE);
    private static final List<java.util.logging.Logger> QUIET_LOGGERS = QUIET.keySet().stream()
            .map(java.util.logging.Logger::getLogger).toList();

    private Launcher() {
    }

    public static void main(String[] args) {
        // Jetty and the WAR both log through SLF4J to java.util.logging: one format, one line per event.
        // Naming the provider keeps each classloader's SLF4J from tripping over the other's.
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s - %5$s%6$s%n");
        System.setProperty("slf4j.provider", "org.slf4j.jul.JULServiceProvider");
        System.setProperty("slf4j.internal.verbosity", "WARN");
        QUIET.forEach((name, level) -> java.util.logging.Logger.getLogger(name).setLevel(level));
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
                    err.println("Unknown command '" + command + "'" + dev.chorus.app.Suggestions.didYouMean(command, COMMANDS, "")
                            + ". Commands: " + String.join(", ", COMMANDS) + ". See --help.");
                    return EXIT_BAD_SETTINGS;
            }
        } catch (ConfigurationException e) {
            err.println(e.getMessage());
            return EXIT_BAD_SETTINGS;
        } catch (RuntimeException e) {
            err.println("Chorus failed to start: " + rootMessage(e));
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
            return new dev.chorus.launcher.bench.Bench(flags, out).run();
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
        Server server = new Server();
        // Built before anything is printed: unreadable TLS material is a bad setting like any other.
        ServerConnector connector = settings.tls() == null
                ? new ServerConnector(server, new org.eclipse.jetty.server.HttpConnectionFactory(TlsConnectors.httpConfiguration()))
                : TlsConnectors.connector(server, settings.tls());
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        // Java's default listen backlog is 50: a burst of reconnecting clients overflows it and each
        // dropped SYN costs the client a 1 s retransmit (measured: 150 instead of thousands of handshakes/s).
        connector.setAcceptQueueSize(4096);
        // Bound before anything is printed: a port in use or an address this machine does not have is
        // one line naming the setting, and a non-zero exit a supervisor can trust.
        try {
            connector.open();
        } catch (IOException | RuntimeException e) {
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

        // The webapp reads the same inputs with the same loader: hand it the flags and the chosen file.
        Map<String, String> forWebapp = new HashMap<>(flags);
        if (settings.configFile() != null) {
            forWebapp.put(SettingsLoader.FLAG_CONFIG, settings.configFile().toAbsolutePath().toString());
        }
        forWebapp.forEach((name, value) -> System.setProperty("chorus." + name, value));

        server.addConnector(connector);
        // Errors Jetty answers itself (unparseable requests, refused URIs) are JSON like the API's.
        server.setErrorHandler(new JsonErrors());
        Settings.Limits limits = settings.limits();
        // File descriptors are the last line: the WebSocket cap (a clear close) sits below this one,
        // above which Jetty stops accepting until sockets close.
        int sockets = limits.effectiveMaxConnections();
        server.addBean(new org.eclipse.jetty.server.NetworkConnectionLimit(sockets + sockets / 20 + 64, connector));
        connector.addBean(new HeaderDeadline(connector.getScheduler(), limits.requestTimeout()));
        if (limits.maxConnectionsPerAddress() > 0) {
            // Twice the WebSocket cap: a client over that cap still gets a clear 4100 close from the
            // web app; only a raw socket flood meets this one (its sockets are closed as they open).
            connector.addBean(new AddressConnectionLimit(limits.maxConnectionsPerAddress() * 2, limits.trustedProxies()));
        }
        WebAppContext context = new WebAppContext();
        context.setContextPath("/");
        Path war;
        try {
            war = extractWar();
        } catch (IOException e) {
            err.println("Cannot unpack the embedded chorus.war: " + e.getMessage());
            return EXIT_START_FAILED;
        }
        context.setWar(war.toString());
        context.setThrowUnavailableOnStartupException(true);
        // The one hand-off with the web app. It loads dev.chorus.host from here, not from its own copy,
        // so both sides hold the same types.
        context.addProtectedClassMatcher(new org.eclipse.jetty.util.ClassMatcher("dev.chorus.host."));
        HostLink host = new HostLink(() -> jettyFigures(server, connector),
                // A restart the web app was asked for: the shutdown hook drains, stops Jetty and exits 0.
                () -> new Thread(() -> System.exit(0), "chorus-restart-exit").start());
        context.setAttribute(HostLink.ATTRIBUTE, host);
        if (Boolean.getBoolean("chorus.transport.portable")) {
            // Everything through the servlet container, as in any other container.
            server.setHandler(new RequestGate(context, limits, settings.maxRequestSize()));
        } else {
            // A single node never blocks before the web app: triggers and handshakes are served on the
            // selector thread and only the web app's requests are handed to the pool. With Redis some
            // of both wait for Redis, so Jetty dispatches every request, as it would anyway.
            boolean inline = !settings.scaling().enabled();
            org.eclipse.jetty.server.Handler webapp = inline ? new PoolHandoff(context) : context;
            server.setHandler(new RequestGate(new TriggerHandler(coreWebSockets(webapp, context, host, settings.path()), host,
                    settings.path(), settings.maxRequestSize(), inline), limits, settings.maxRequestSize()));
        }
        server.setStopTimeout(5_000);
        try {
            server.start();
        } catch (Exception e) {
            ConfigurationException bad = findConfigurationProblem(e);
            err.println(bad != null ? bad.getMessage() : "Chorus failed to start: " + rootMessage(e));
            try {
                server.stop();
            } catch (Exception ignored) {
                // Already failing; the exit code says it.
            }
            try {
                Files.deleteIfExists(war);
                Files.deleteIfExists(war.getParent());
            } catch (IOException ignored) {
                // a temp file left behind
            }
            return bad != null ? EXIT_BAD_SETTINGS : EXIT_START_FAILED;
        }
        // Our own hook rather than Jetty's: clients must hear "reconnect" (4200) before Jetty closes
        // their sockets with 1001. Only once started: its clean exit (0) must not cover a failed start.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server, host, war), "chorus-shutdown"));
        HealthFile.write(env, settings, connector.getLocalPort(), err);
        out.println("Chorus listening on " + (settings.tls() == null ? "" : "TLS ") + settings.host() + ":" + connector.getLocalPort()
                + (settings.path().isEmpty() ? "" : " under " + settings.path()) + (settings.debug() ? " (debug)" : "")
                + (settings.demo() ? "; demo page at " + settings.path() + "/demo" : ""));
        out.flush();
        return -1;
    }

    /**
     * Pusher sockets on Jetty's core WebSocket API, in front of the web app: the servlet upgrade and the
     * Jakarta session cost most of a handshake's CPU and ~10 KB of heap per connection. The endpoint
     * itself lives in the WAR (it needs the application); it offers a {@link SocketEntry} through the
     * {@link HostLink}. Until it has (or with -Dchorus.transport.portable=true) upgrades fall through to
     * the WAR's JSR-356 endpoint.
     */
    private static org.eclipse.jetty.server.Handler coreWebSockets(org.eclipse.jetty.server.Handler webapp,
                                                                   WebAppContext context, HostLink host, String prefix) {
        // The endpoint writes pre-framed bytes straight to the socket (DirectTransport): it needs Jetty's EndPoint type.
        context.addHiddenClassMatcher(new org.eclipse.jetty.util.ClassMatcher("-org.eclipse.jetty.io.EndPoint"));
        org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler upgrade =
                new org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler();
        String base = prefix + "/app/";
        upgrade.addMapping(base + "*", org.eclipse.jetty.websocket.core.server.WebSocketNegotiator.from(
                (request, response, callback) -> {
                    SocketEntry sockets = host.sockets();
                    String path = request.getHttpURI().getPath();
                    // Only /app/{key}: anything deeper falls through to the web app, which answers 404.
                    if (sockets == null || path == null
                            || !path.startsWith(base) || path.length() == base.length() || path.indexOf('/', base.length()) >= 0) {
                        return null;
                    }
                    // No permessage-deflate (as Reverb and soketi by default): outbound frames are written
                    // uncompressed anyway, and a browser that compresses what it sends would hold an
                    // Inflater (~40 KB of native memory) for the life of its connection.
                    response.setExtensions(java.util.List.of());
                    // The endpoint counts the socket against the connection caps (by the forwarded address behind a trusted proxy).
                    return sockets.open(request.getHeaders().get("Origin"), RequestGate.forwardedFor(request));
                },
                (endpoint, request, response) -> (org.eclipse.jetty.websocket.core.FrameHandler) endpoint));
        upgrade.setHandler(webapp);
        return upgrade;
    }

    /**
     * SIGTERM/SIGINT and restarts: clients hear 4200 (reconnect), Jetty stops, and the process exits
     * with status 0, a clean stop for supervisors (the JVM would otherwise report 143 for SIGTERM).
     */
    private static void stop(Server server, HostLink host, Path war) {
        // Stop accepting first, so nobody connects while the others are told to go.
        for (org.eclipse.jetty.server.Connector connector : server.getConnectors()) {
            if (connector instanceof org.eclipse.jetty.server.AbstractNetworkConnector network) {
                network.setAccepting(false);
            }
        }
        try {
            host.drain();
        } catch (RuntimeException e) {
            System.err.println("Chorus: draining connections failed: " + e);
        }
        try {
            server.stop();
        } catch (Exception e) {
            System.err.println("Chorus: stopping failed: " + e);
        }
        try {
            Files.deleteIfExists(war);
            Files.deleteIfExists(war.getParent());
        } catch (IOException ignored) {
            // a temp file left behind
        }
        System.out.println("Chorus stopped");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    /** Jetty's figures for /metrics (the web app cannot see Jetty's classes). */
    private static Map<String, Number> jettyFigures(Server server, ServerConnector connector) {
        org.eclipse.jetty.util.thread.QueuedThreadPool pool = (org.eclipse.jetty.util.thread.QueuedThreadPool) server.getThreadPool();
        return Map.of("threads", pool.getThreads(), "threads_busy", pool.getBusyThreads(),
                "threads_idle", pool.getIdleThreads(), "queue_size", pool.getQueueSize(),
                "connections_open", connector.getConnectedEndPoints().size());
    }

    /** One line for a listener that could not be opened, naming the address and the settings behind it. */
    static String bindProblem(Settings settings, Throwable failure) {
        String where = settings.host() + ":" + settings.port();
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            String message = cause.getMessage() == null ? "" : cause.getMessage();
            if (cause instanceof java.net.BindException && message.contains("in use")) {
                return "Cannot listen on " + where + ": the port is already in use (set --port, REVERB_SERVER_PORT or server.port)";
            }
            if (cause instanceof java.nio.channels.UnresolvedAddressException || cause instanceof java.net.UnknownHostException) {
                return "Cannot listen on " + where + ": the host name '" + settings.host() + "' does not resolve to an address"
                        + " (set --host, REVERB_SERVER_HOST or server.host; 0.0.0.0 listens on all)";
            }
            if (cause instanceof java.net.BindException) {
                return "Cannot listen on " + where + ": '" + settings.host() + "' is not an address of this machine"
                        + " (set --host, REVERB_SERVER_HOST or server.host; 0.0.0.0 listens on all)";
            }
            if (cause instanceof java.net.SocketException && message.contains("ermission")) {
                return "Cannot listen on " + where + ": permission denied (ports below 1024 need privileges; set --port)";
            }
        }
        return "Cannot listen on " + where + ": " + rootMessage(failure);
    }

    /** The webapp's exception comes from another classloader: match it by name. */
    private static ConfigurationException findConfigurationProblem(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause.getClass().getName().equals(ConfigurationException.class.getName())) {
                return new ConfigurationException(cause.getMessage());
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static Path extractWar() throws IOException {
        Path dir = Files.createTempDirectory("chorus-");
        Path war = dir.resolve("chorus.war");
        try (InputStream in = Launcher.class.getResourceAsStream("/chorus.war")) {
            if (in == null) {
                throw new IOException("chorus.war is missing from the launcher jar");
            }
            Files.copy(in, war, StandardCopyOption.REPLACE_EXISTING);
        }
        return war;
    }
}
