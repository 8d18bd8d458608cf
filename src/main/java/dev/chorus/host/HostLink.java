package dev.chorus.host;

import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What an embedding process and the web app it runs offer each other. The host makes one before the
 * web app starts and puts it in the servlet context under {@link #ATTRIBUTE}; while starting, the web
 * app offers its entries through it; the host reads them per request.
 * <p>The host decides what happens to the process: a restart the web app is asked for ({@code
 * chorus.jar restart}, a restart signal from another node) is {@link #restart()}, never an exit from
 * inside the web app.
 * <p>Threading: the entries are set once, during the web app's start, and read from any thread
 * afterwards (volatile); until offered they are null and the host falls back to the servlet path.
 */
public final class HostLink {
    /** The servlet context attribute holding the link (named after this class: one key, one type). */
    public static final String ATTRIBUTE = HostLink.class.getName();
    /**
     * Request attribute the host sets on a trigger its {@link TriggerEntry} declined, before handing
     * it on: the web app's own fast path then leaves it to JAX-RS directly.
     */
    public static final String TRIED_ATTRIBUTE = HostLink.class.getName() + ".tried";

    private final Map<String, String> settings;
    private final Supplier<Map<String, Number>> containerStats;
    private final Runnable restart;
    private volatile TriggerEntry triggers;
    private volatile SocketEntry sockets;
    private volatile Runnable drain;

    /**
     * @param settings the host's own settings inputs for the web app, named as the settings loader names
     *     its flags ({@code port}, {@code path}, {@code config}: the file the host chose, …); the web app
     *     loads them with the environment and that file exactly as the host did
     * @param containerStats the host's own figures for {@code /metrics} (thread pool, open connections),
     *     named in snake case; read on the metrics thread
     * @param restart stops the process for its supervisor to start again; called once, from any thread,
     *     after the web app has told its clients to reconnect; returns at once
     */
    public HostLink(Map<String, String> settings, Supplier<Map<String, Number>> containerStats, Runnable restart) {
        this.settings = Map.copyOf(settings);
        this.containerStats = Objects.requireNonNull(containerStats);
        this.restart = Objects.requireNonNull(restart);
    }

    /** The link in a servlet context attribute, or null when no host runs the web app. */
    public static HostLink in(Object attribute) {
        return attribute instanceof HostLink link ? link : null;
    }

    /** The flags the host started with, for the web app's settings; read once, when it starts. */
    public Map<String, String> settings() {
        return settings;
    }

    public Map<String, Number> containerStats() {
        return containerStats.get();
    }

    public void restart() {
        restart.run();
    }

    public void offerTriggers(TriggerEntry entry) {
        triggers = entry;
    }

    /** The web app's trigger entry, or null until it has started. */
    public TriggerEntry triggers() {
        return triggers;
    }

    public void offerSockets(SocketEntry entry) {
        sockets = entry;
    }

    /** The web app's socket entry, or null (not started yet, or the portable transport asked for). */
    public SocketEntry sockets() {
        return sockets;
    }

    /** How to tell every client to reconnect (4200) before the host stops; bounded in time. */
    public void offerDrain(Runnable drain) {
        this.drain = drain;
    }

    /** Tells every client to reconnect, if the web app has started; returns when done or timed out. */
    public void drain() {
        Runnable known = drain;
        if (known != null) {
            known.run();
        }
    }
}
