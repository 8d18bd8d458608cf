package dev.chorus.server;

import dev.chorus.connection.Connection;
import dev.chorus.protocol.PusherError;
import java.util.ArrayList;
import java.util.List;

/**
 * Shutdown and restart: tells every client why and closes it, then waits (bounded) for the frames to
 * leave, so clients hear the code that tells them to reconnect instead of seeing the socket drop.
 * <p>Threading: called from a shutdown or restart thread while connections keep running; idempotent.
 */
final class Drain {
    private final ConnectionRegistry registry;
    private final Disconnect disconnect;

    Drain(ConnectionRegistry registry, Disconnect disconnect) {
        this.registry = registry;
        this.disconnect = disconnect;
    }

    /** Closes every connection with {@code error} after its queued frames, waiting up to {@code maxMillis} for them to go. */
    void drain(PusherError error, long maxMillis) {
        List<Connection> closing = new ArrayList<>();
        registry.all().forEach(closing::add);
        closing.forEach(connection -> disconnect.terminate(connection, error, true));
        long deadline = System.nanoTime() + maxMillis * 1_000_000;
        try {
            while (System.nanoTime() < deadline && closing.stream().anyMatch(connection -> connection.pendingFrames() > 0)) {
                Thread.sleep(10);
            }
            if (!closing.isEmpty()) {
                // The close frame follows the last completion on the sending thread: let it go out.
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
