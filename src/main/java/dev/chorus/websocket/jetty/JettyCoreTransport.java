package dev.chorus.websocket.jetty;

import dev.chorus.connection.Transport;
import dev.chorus.protocol.EncodedFrame;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketSession;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * {@link Transport} on Jetty's core WebSocket session, used where the container lets the application
 * see it (the launcher). Frames that queued up are handed over with {@code batch=true} but the last,
 * so Jetty gathers them into one write: the biggest lever on fan-out cost when a socket falls behind.
 * Everything is asynchronous; nothing here waits for the peer.
 */
public final class JettyCoreTransport implements Transport {
    private final CoreSession session;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Our pings carry this: only a pong that echoes it proves the client reads. */
    private final long pingToken = ThreadLocalRandom.current().nextLong();
    /** Connection hands the same completion every time, one send at a time: adapt it once. */
    private Adapted adapted;

    private record Adapted(Completion done, Callback callback) {
    }

    private JettyCoreTransport(CoreSession session) {
        this.session = session;
    }

    /** The core transport for this session, or null when it is not a Jetty session. */
    public static Transport of(Session session) {
        return session instanceof JakartaWebSocketSession jetty ? new JettyCoreTransport(jetty.getCoreSession()) : null;
    }

    @Override
    public void send(EncodedFrame frame, Completion done) {
        session.sendFrame(text(frame), callback(done), false);
    }

    @Override
    public void sendAll(List<EncodedFrame> frames, Completion done) {
        int last = frames.size() - 1;
        for (int i = 0; i < last; i++) {
            session.sendFrame(text(frames.get(i)), Callback.NOOP, true);
        }
        session.sendFrame(text(frames.get(last)), callback(done), false);
    }

    /** The shared bytes under a buffer of this frame's own: Jetty moves the position, never the content. */
    private static Frame text(EncodedFrame frame) {
        return new Frame(OpCode.TEXT, frame.payload());
    }

    private Callback callback(Completion done) {
        // One immutable pair read once: a racing refusal send can only cost an extra adapter, never a wrong one.
        Adapted current = adapted;
        if (current == null || current.done() != done) {
            current = new Adapted(done, Callback.from(() -> done.done(null), done::done));
            adapted = current;
        }
        return current.callback();
    }

    @Override
    public void close(int code, String reason) {
        if (closed.compareAndSet(false, true)) {
            session.close(new CloseStatus(code, reason), Callback.NOOP);
        }
    }

    @Override
    public void ping() {
        session.sendFrame(new Frame(OpCode.PING, ByteBuffer.allocate(Long.BYTES).putLong(0, pingToken)), Callback.NOOP, false);
    }

    @Override
    public boolean answersPing(ByteBuffer payload) {
        return payload != null && payload.remaining() == Long.BYTES && payload.getLong(payload.position()) == pingToken;
    }
}
