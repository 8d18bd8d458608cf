package dev.chorus.connection;

/**
 * The socket under a {@link Connection}, implemented per container API.
 * <p>Threading: {@link Connection} guarantees at most one {@link #send} in flight per transport (Tomcat
 * throws on overlapping async sends); {@link #close} and {@link #ping} may be called from any thread at
 * any time and must not block on the peer. The completion callback runs exactly once, on any thread,
 * possibly inline inside {@link #send}.
 */
public interface Transport {
    void send(String frame, Completion done);

    /**
     * Sends several frames as one unit of "in flight": {@code done} runs once, after the last. A
     * transport that can write them together (Jetty core: one gathered write) should; this default
     * sends them one after another.
     */
    default void sendAll(java.util.List<String> frames, Completion done) {
        sendFrom(frames, 0, done);
    }

    private void sendFrom(java.util.List<String> frames, int index, Completion done) {
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

    /** Callback of one send. */
    @FunctionalInterface
    interface Completion {
        /** @param failure null when the frame was written */
        void done(Throwable failure);
    }
}
