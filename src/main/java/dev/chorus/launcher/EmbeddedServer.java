package dev.chorus.launcher;

import dev.chorus.app.ConfigurationException;
import dev.chorus.app.Settings;
import dev.chorus.host.HostLink;
import dev.chorus.host.SocketEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ClassMatcher;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/**
 * The embedded Jetty that runs chorus.war for {@code start}: its listener, the handlers in front of
 * the web app (request gate, trigger fast path, core WebSockets), the {@link HostLink} hand-off, and
 * the stop that tells clients to reconnect first. {@link Launcher} decides what is printed and the
 * exit codes; this class only builds, starts and stops.
 * <p>Threading: built and started on the main thread; {@link #stopAndExit()} runs on the shutdown hook.
 */
final class EmbeddedServer {
    private final Server server;
    private final ServerConnector connector;
    private Path war;
    private HostLink host;

    private EmbeddedServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /**
     * The server with its listener bound (nothing served yet).
     * @throws ConfigurationException for unusable TLS material
     * @throws IOException when the address cannot be listened on (see {@link Launcher#bindProblem})
     */
    static EmbeddedServer bind(Settings settings) throws IOException {
        Server server = new Server();
        // Built before anything is printed: unreadable TLS material is a bad setting like any other.
        ServerConnector connector = settings.tls() == null
                ? new ServerConnector(server, new HttpConnectionFactory(TlsConnectors.httpConfiguration()))
                : TlsConnectors.connector(server, settings.tls());
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        // Java's default listen backlog is 50: a burst of reconnecting clients overflows it and each
        // dropped SYN costs the client a 1 s retransmit (measured: 150 instead of thousands of handshakes/s).
        connector.setAcceptQueueSize(4096);
        connector.open();
        return new EmbeddedServer(server, connector);
    }

    int port() {
        return connector.getLocalPort();
    }

    /**
     * Deploys the web app behind the handlers and starts Jetty.
     * @return -1 once serving, else the exit code (the reason already printed on {@code err})
     */
    int start(Settings settings, Map<String, String> forWebapp, PrintStream err) {
        server.addConnector(connector);
        // Errors Jetty answers itself (unparseable requests, refused URIs) are JSON like the API's.
        server.setErrorHandler(new JsonErrors());
        Settings.Limits limits = settings.limits();
        // File descriptors are the last line: the WebSocket cap (a clear close) sits below this one,
        // above which Jetty stops accepting until sockets close.
        int sockets = limits.effectiveMaxConnections();
        server.addBean(new NetworkConnectionLimit(sockets + sockets / 20 + 64, connector));
        connector.addBean(new HeaderDeadline(connector.getScheduler(), limits.requestTimeout()));
        if (limits.maxConnectionsPerAddress() > 0) {
            // Twice the WebSocket cap: a client over that cap still gets a clear 4100 close from the
            // web app; only a raw socket flood meets this one (its sockets are closed as they open).
            connector.addBean(new AddressConnectionLimit(limits.maxConnectionsPerAddress() * 2, limits.trustedProxies()));
        }
        WebAppContext context = new WebAppContext();
        context.setContextPath("/");
        try {
            war = extractWar();
        } catch (IOException e) {
            err.println("Cannot unpack the embedded chorus.war: " + e.getMessage());
            return Launcher.EXIT_START_FAILED;
        }
        context.setWar(war.toString());
        context.setThrowUnavailableOnStartupException(true);
        // The one hand-off with the web app. It loads dev.chorus.host from here, not from its own copy,
        // so both sides hold the same types.
        context.addProtectedClassMatcher(new ClassMatcher("dev.chorus.host."));
        host = new HostLink(forWebapp, () -> jettyFigures(server, connector),
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
            Handler webapp = inline ? new PoolHandoff(context) : context;
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
            return bad != null ? Launcher.EXIT_BAD_SETTINGS : Launcher.EXIT_START_FAILED;
        }
        return -1;
    }

    /**
     * Pusher sockets on Jetty's core WebSocket API, in front of the web app: the servlet upgrade and the
     * Jakarta session cost most of a handshake's CPU and ~10 KB of heap per connection. The endpoint
     * itself lives in the WAR (it needs the application); it offers a {@link SocketEntry} through the
     * {@link HostLink}. Until it has (or with -Dchorus.transport.portable=true) upgrades fall through to
     * the WAR's JSR-356 endpoint.
     */
    private static Handler coreWebSockets(Handler webapp,
                                                                   WebAppContext context, HostLink host, String prefix) {
        // The endpoint writes pre-framed bytes straight to the socket (DirectTransport): it needs Jetty's EndPoint type.
        context.addHiddenClassMatcher(new ClassMatcher("-org.eclipse.jetty.io.EndPoint"));
        WebSocketUpgradeHandler upgrade =
                new WebSocketUpgradeHandler();
        String base = prefix + "/app/";
        upgrade.addMapping(base + "*", WebSocketNegotiator.from(
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
                    response.setExtensions(List.of());
                    // The endpoint counts the socket against the connection caps (by the forwarded address behind a trusted proxy).
                    return sockets.open(request.getHeaders().get("Origin"), RequestGate.forwardedFor(request));
                },
                (endpoint, request, response) -> (FrameHandler) endpoint));
        upgrade.setHandler(webapp);
        return upgrade;
    }

    /**
     * The shutdown hook. SIGTERM/SIGINT and restarts: clients hear 4200 (reconnect), Jetty stops, and the process exits
     * with status 0, a clean stop for supervisors (the JVM would otherwise report 143 for SIGTERM).
     */
    void stopAndExit() {
        // Stop accepting first, so nobody connects while the others are told to go.
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof AbstractNetworkConnector network) {
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
        QueuedThreadPool pool = (QueuedThreadPool) server.getThreadPool();
        return Map.of("threads", pool.getThreads(), "threads_busy", pool.getBusyThreads(),
                "threads_idle", pool.getIdleThreads(), "queue_size", pool.getQueueSize(),
                "connections_open", connector.getConnectedEndPoints().size());
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

    static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static Path extractWar() throws IOException {
        Path dir = Files.createTempDirectory("chorus-");
        Path war = dir.resolve("chorus.war");
        try (InputStream in = EmbeddedServer.class.getResourceAsStream("/chorus.war")) {
            if (in == null) {
                throw new IOException("chorus.war is missing from the launcher jar");
            }
            Files.copy(in, war, StandardCopyOption.REPLACE_EXISTING);
        }
        return war;
    }
}
