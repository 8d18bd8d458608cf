package dev.chorus.server;

import dev.chorus.app.RestartFile;
import dev.chorus.broadcast.Broadcaster;
import dev.chorus.host.HostLink;
import dev.chorus.protocol.PusherError;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's clock and its restarts: once a second a liveness pass over every connection, once a minute
 * the expiry of cached events, every other second a look for the restart file; and the restart itself,
 * from the file, from {@code chorus restart} on another node, or never twice at once.
 * <p>A restart tells every client to reconnect (4200) and closes it; under a host (the launcher) the
 * host then stops the process for its supervisor. In a container the application stays deployed:
 * restarting it is the container's business.
 * <p>Threading: the passes run on one daemon timer thread; {@link #restart} may be called from any
 * thread (the relay's, the timer's) and returns once the clients were told.
 */
public final class Upkeep implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Upkeep.class);
    private static final long RESTART_DRAIN_MILLIS = 2_000;
    private static final long STOP_DRAIN_MILLIS = 1_000;

    private final PusherServer server;
    private final Broadcaster broadcaster;
    private final RestartFile restartFile;
    private final AtomicBoolean restarting = new AtomicBoolean();
    private final ScheduledExecutorService timer;
    private volatile HostLink host;
    private long ticks;

    public Upkeep(PusherServer server, Broadcaster broadcaster, RestartFile restartFile) {
        this.server = server;
        this.broadcaster = broadcaster;
        this.restartFile = restartFile;
        this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "chorus-liveness");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts the once-a-second passes. */
    public void start() {
        timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * The process that embeds us (the launcher): a restart becomes its decision, and it drains through
     * this before it stops Jetty, which would otherwise close the sockets with 1001 first.
     */
    public void hostedBy(HostLink embedding) {
        this.host = embedding;
        embedding.offerDrain(() -> server.drain(PusherError.SERVER_RESTARTING, RESTART_DRAIN_MILLIS));
    }

    /** One pass (package-private: tests drive the clock themselves). */
    void tick() {
        try {
            long now = System.nanoTime();
            server.checkLiveness(now);
            if (++ticks % 60 == 0) {
                broadcaster.expireCaches(now);
            }
            if (ticks % 2 == 0 && restartFile.requested()) {
                restart("the restart file " + restartFile.path());
            }
        } catch (RuntimeException e) {
            LOG.error("Liveness check failed", e);
        }
    }

    /**
     * Tells every client to reconnect and, under a host, asks it to stop the process. A request while
     * one is running is ignored.
     * @param why who asked, for the log line
     */
    public void restart(String why) {
        if (!restarting.compareAndSet(false, true)) {
            return;
        }
        LOG.warn("Restart requested by " + why + ": telling clients to reconnect");
        server.drain(PusherError.SERVER_RESTARTING, RESTART_DRAIN_MILLIS);
        HostLink embedding = host;
        if (embedding != null) {
            embedding.restart();
        } else {
            restarting.set(false);
        }
    }

    /** Stops the passes and tells every client to reconnect (the deployment is stopping). */
    @Override
    public void close() {
        LOG.info("Chorus stopping: telling " + server.connectionCount() + " connection(s) to reconnect");
        timer.shutdownNow();
        server.drain(PusherError.SERVER_RESTARTING, STOP_DRAIN_MILLIS);
    }
}
