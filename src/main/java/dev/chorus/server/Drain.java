package dev.chorus.server;

import dev.chorus.connection.Connection;
import dev.chorus.protocol.PusherError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Shutdown and restart: tells every client why and closes it, then waits (bounded) for the frames to
 * leave, so clients hear the code that tells them to reconnect instead of seeing the socket drop.
 * <p>Threading: called from a shutdown or restart thread while connections keep running; idempotent.
 */
final class Drain {
    /**
     * After the last connection's transport was asked to close: the close frame itself is written
     * asynchronously by the container, which tells us nothing when it is out, and the process may exit next.
     */
    private static final long CLOSE_FRAME_MILLIS = 50;

    private final ConnectionRegistry registry;
    private final Disconnect disconnect;

    Drain(ConnectionRegistry registry, Disconnect disconnect) {
        this.registry = registry;
        this.disconnect = disconnect;
    }

    /**
     * Closes every connection with {@code error} after its queued frames, waiting up to {@code maxMillis}
     * for them to go: a client that stopped reading is not waited for past that.
     */
    void drain(PusherError error, long maxMillis) {
        List<Connection> closing = new ArrayList<>();
        registry.all().forEach(closing::add);
        if (closing.isEmpty()) {
            return;
        }
        CountDownLatch asked = new CountDownLatch(closing.size());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        closing.forEach(connection -> disconnect.terminate(connection, error, asked::countDown));
        try {
            if (asked.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                TimeUnit.NANOSECONDS.sleep(Math.min(TimeUnit.MILLISECONDS.toNanos(CLOSE_FRAME_MILLIS),
                        Math.max(0, deadline - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
