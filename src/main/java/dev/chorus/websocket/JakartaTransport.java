package dev.chorus.websocket;

import dev.chorus.connection.Transport;
import dev.chorus.protocol.EncodedFrame;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link Transport} over a JSR-356 session, using only the portable async API. The caller keeps one
 * send in flight (Tomcat throws on overlapping async sends; Jetty and Tyrus queue without limit).
 */
final class JakartaTransport implements Transport {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Session session;
    private final AtomicBoolean closed = new AtomicBoolean();

    JakartaTransport(Session session) {
        this.session = session;
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
    public void ping() {
        try {
            session.getAsyncRemote().sendPing(EMPTY.duplicate());
        } catch (Exception e) {
            // An unpingable socket will miss its pong and be pruned.
        }
    }
}
