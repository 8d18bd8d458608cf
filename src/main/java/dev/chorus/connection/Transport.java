package dev.chorus.connection;

import dev.chorus.protocol.EncodedFrame;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The socket under a {@link Connection}, implemented per container API.
 * <p>Threading: {@link Connection} guarantees at most one send ({@link #send} or {@link #sendAll}) in
 * flight per transport (Tomcat throws on overlapping async sends); {@link #close} and {@link #ping}
 * may be called from any thread at any time and must not block on the peer. The completion callback
 * runs exactly once, on any thread, possibly inline inside the send. Frames are shared with other
 * connections: a transport reads them and never changes them.
 */
public interface Transport {
    void send(EncodedFrame frame, Completion done);

    /**
     * Sends several frames as one unit of "in flight": {@code done} runs once, after the last. A
     * transport that can write them together (Jetty core: one gathered write) should; this default
     * sends them one after another.
     */
    default void sendAll(List<EncodedFrame> frames, Completion done) {
        sendFrom(frames, 0, done);
    }

    private void sendFrom(List<EncodedFrame> frames, int index, Completion done) {
        if (index == frames.size() - 1) {
            send(frames.get(index), done);
            return;
        }
        send(frames.get(index), failure -> {
            if (failure != null) {
                done.done(failure);
            } else {
                sendFrom(frames, index + 1, done);
            }
        });
    }

    /** Sends a close frame with this code and reason, then closes. Idempotent. */
    void close(int code, String reason);

    /** A WebSocket ping control frame; compliant clients answer with a pong. */
    void ping();

    /**
     * Called about once a second for every open connection: a transport that knows when its write in
     * flight started closes the socket (without waiting for the peer) once that write is stuck longer
     * than its write timeout. The default does nothing: the container enforces its own send timeout.
     */
    default void checkWrite(long nowNanos) {
    }

    /**
     * Whether a pong with this payload answers one of our {@link #ping}s (a transport whose pings carry
     * a token checks it): only then does it prove the client reads. Default: any pong does.
     */
    default boolean answersPing(ByteBuffer payload) {
        return true;
    }

    /** Callback of one send. */
    @FunctionalInterface
    interface Completion {
        /** @param failure null when the frame was written */
        void done(Throwable failure);
    }
}
