package dev.chorus.websocket;

import dev.chorus.connection.Transport;
import dev.chorus.protocol.EncodedFrame;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link Transport} over a JSR-356 session, using only the portable async API. The caller keeps one
 * send in flight (Tomcat throws on overlapping async sends; Jetty and Tyrus queue without limit).
 * A send stuck past {@code write_timeout} fails through the container's own send timeout (portable:
 * {@code RemoteEndpoint.Async.setSendTimeout}), which closes the connection. Client pings are
 * answered by the container itself, which also bounds them: the application never sees them.
 */
final class JakartaTransport implements Transport {
    /** Our pings carry this: only a pong that echoes it proves the client reads. */
    private final long pingToken = ThreadLocalRandom.current().nextLong();
    private final Session session;
    private final AtomicBoolean closed = new AtomicBoolean();

    JakartaTransport(Session session, Duration writeTimeout) {
        this.session = session;
        try {
            session.getAsyncRemote().setSendTimeout(writeTimeout.toMillis());
        } catch (RuntimeException e) {
            // A container without send timeouts keeps its own default; liveness still prunes the socket.
        }
    }

    @Override
    public void send(EncodedFrame frame, Completion done) {
        try {
            session.getAsyncRemote().sendText(frame.text(), result -> done.done(result.isOK() ? null : result.getException()));
        } catch (RuntimeException e) {
            done.done(e);
        }
    }

    @Override
    public void close(int code, String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
        } catch (Exception e) {
            // Already closed or broken: either way the socket is gone, which is what we asked for.
        }
    }

    @Override
    public boolean answersPing(ByteBuffer payload) {
        return payload != null && payload.remaining() == Long.BYTES && payload.getLong(payload.position()) == pingToken;
    }

    @Override
    public void ping() {
        try {
            session.getAsyncRemote().sendPing(ByteBuffer.allocate(Long.BYTES).putLong(0, pingToken));
        } catch (Exception e) {
            // An unpingable socket will miss its pong and be pruned.
        }
    }
}
