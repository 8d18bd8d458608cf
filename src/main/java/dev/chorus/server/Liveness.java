package dev.chorus.server;

import dev.chorus.app.App;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.PusherError;

/**
 * Which connections are still there: pings the silent ones, closes with 4201 those that did not answer,
 * and lets each transport close a socket whose write is stuck. Proof of life is recorded on the
 * connection ({@link Connection#touch}) by whatever the client sends.
 * <p>Threading: {@link #check} runs on one timer thread, about once a second, alongside the
 * connections' own threads; {@link #pong} on the connection's inbound thread.
 */
final class Liveness {
    private final ConnectionRegistry registry;
    private final Disconnect disconnect;
    private final FrameLog log;

    Liveness(ConnectionRegistry registry, Disconnect disconnect, FrameLog log) {
        this.registry = registry;
        this.disconnect = disconnect;
        this.log = log;
    }

    /**
     * One pass: ping connections silent for the app's ping interval, close with 4201 those that stayed
     * silent for the pong timeout after a ping. Every socket is checked, subscribed or not.
     */
    void check(long nowNanos) {
        for (Connection connection : registry.all()) {
            connection.checkWrite(nowNanos);
            App app = connection.app();
            long pingSent = connection.pingSentNanos();
            if (pingSent != 0) {
                if (nowNanos - pingSent >= app.pongTimeout().toNanos()) {
                    log.lifecycle(connection.socketId(), "pruned: no pong");
                    disconnect.terminate(connection, PusherError.PONG_TIMEOUT, true);
                }
            } else if (nowNanos - connection.lastSeenNanos() >= app.pingInterval().toNanos()) {
                connection.ping(Frames.PING, nowNanos);
            }
        }
    }

    /**
     * A WebSocket pong: proof of life only when it answers our ping (the transport knows its ping's
     * payload); an unsolicited one proves nothing, or a client that never reads could stay forever.
     */
    void pong(Connection connection, boolean answersOurPing) {
        if (answersOurPing) {
            connection.touch();
        }
    }
}
