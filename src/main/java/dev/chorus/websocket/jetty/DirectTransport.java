package dev.chorus.websocket.jetty;

import dev.chorus.connection.Transport;
import dev.chorus.protocol.EncodedFrame;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.List;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;

/**
 * {@link Transport} that writes the shared, pre-framed bytes of each {@link EncodedFrame} straight to
 * the socket's {@link EndPoint}: no per-recipient frame object, header generation, extension chain or
 * flusher iteration. Those were half of a delivery's CPU on Jetty's frame API; what is left is the
 * write itself. Server frames are unmasked, so the bytes are the same for every recipient.
 * <p>The endpoint takes one write at a time, so this class owns it while the socket is open: data
 * (one send at a time, as {@link Transport} promises), pings and pongs are written here, in order;
 * Jetty's own session writes only the close frame, and only once nothing of ours is in flight
 * ({@link #close}, {@link #afterWrites}). Outbound messages are never compressed: permessage-deflate
 * lets a sender leave any message uncompressed (RFC 7692, RSV1 clear), and compressing per
 * recipient would cost more than the write.
 * <p>Threading: any method from any thread; a monitor guards the few fields, never held across a
 * write or a callback. A write that completes at once calls back inline.
 */
final class DirectTransport implements Transport {
    private static final byte[] PING = {(byte) 0x89, 0};
    private static final ClosedChannelException CLOSED = new ClosedChannelException();

    private final CoreSession session;
    private final EndPoint endPoint;
    private final Callback written = new Written();
    private final ByteBuffer[] single = new ByteBuffer[1];
    // Guarded by this.
    private boolean writing;
    private boolean closed;
    /** Completion of the data write in flight; null while a control frame is in flight. */
    private Completion inFlight;
    /** A data send that arrived while a control frame was being written. */
    private ByteBuffer[] waitingData;
    private Completion waitingDone;
    private ArrayDeque<ByteBuffer> waitingControl;
    private Runnable whenIdle;

    DirectTransport(CoreSession session, EndPoint endPoint) {
        this.session = session;
        this.endPoint = endPoint;
    }

    @Override
    public void send(EncodedFrame frame, Completion done) {
        // One data send at a time (waiting or in flight), so one array serves them all; the buffer
        // must be the recipient's own, as the endpoint moves its position.
        ByteBuffer[] buffers = single;
        buffers[0] = frame.frame();
        data(buffers, done);
    }

    @Override
    public void sendAll(List<EncodedFrame> frames, Completion done) {
        ByteBuffer[] buffers = new ByteBuffer[frames.size()];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = frames.get(i).frame();
        }
        data(buffers, done);
    }

    private void data(ByteBuffer[] buffers, Completion done) {
        boolean open;
        synchronized (this) {
            open = !closed;
            if (open) {
                if (writing) {
                    waitingData = buffers;
                    waitingDone = done;
                    return;
                }
                writing = true;
                inFlight = done;
            }
        }
        if (!open) {
            done.done(CLOSED);
            return;
        }
        endPoint.write(written, buffers);
    }

    @Override
    public void ping() {
        control(ByteBuffer.wrap(PING));
    }

    /** Answers a client's ping with its payload (at most 125 bytes: the parser refuses more). */
    void pong(ByteBuffer payload) {
        int length = payload == null ? 0 : payload.remaining();
        ByteBuffer frame = ByteBuffer.allocate(2 + length);
        frame.put((byte) 0x8A).put((byte) length);
        if (length > 0) {
            frame.put(payload.slice());
        }
        control(frame.flip());
    }

    private void control(ByteBuffer frame) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (writing) {
                if (waitingControl == null) {
                    waitingControl = new ArrayDeque<>(2);
                }
                waitingControl.add(frame);
                return;
            }
            writing = true;
            inFlight = null;
        }
        endPoint.write(written, frame);
    }

    @Override
    public void close(int code, String reason) {
        CloseStatus status = new CloseStatus(code, reason);
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        afterWrites(() -> session.close(status, Callback.NOOP));
    }

    /**
     * Stops writing and runs {@code then} once nothing of ours is in flight: Jetty may write to the
     * endpoint from then on (its close frame). Used for our closes and for the client's close frame,
     * whose answer Jetty sends when the frame's callback completes.
     */
    void afterWrites(Runnable then) {
        synchronized (this) {
            closed = true;
            if (writing) {
                Runnable before = whenIdle;
                whenIdle = before == null ? then : () -> {
                    before.run();
                    then.run();
                };
                return;
            }
        }
        then.run();
    }

    private void succeeded() {
        Completion finished;
        ByteBuffer[] next = null;
        ByteBuffer control = null;
        Runnable idle = null;
        synchronized (this) {
            finished = inFlight;
            inFlight = null;
            if (waitingControl != null && !waitingControl.isEmpty() && !closed) {
                control = waitingControl.poll();
            } else if (waitingData != null) {
                next = waitingData;
                inFlight = waitingDone;
                waitingData = null;
                waitingDone = null;
            } else {
                writing = false;
                idle = whenIdle;
                whenIdle = null;
            }
        }
        if (control != null) {
            endPoint.write(written, control);
        } else if (next != null) {
            endPoint.write(written, next);
        }
        if (finished != null) {
            finished.done(null);
        }
        if (idle != null) {
            idle.run();
        }
    }

    private void failed(Throwable failure) {
        Completion finished;
        Completion waiting;
        Runnable idle;
        synchronized (this) {
            finished = inFlight;
            waiting = waitingDone;
            idle = whenIdle;
            inFlight = null;
            waitingData = null;
            waitingDone = null;
            whenIdle = null;
            writing = false;
            closed = true;
        }
        if (finished != null) {
            finished.done(failure);
        }
        if (waiting != null) {
            waiting.done(failure);
        }
        if (idle != null) {
            idle.run();
        }
        // The socket is unusable: let Jetty tear the session down (onClosed follows) rather than wait for a read to fail.
        session.abort();
    }

    private final class Written implements Callback {
        @Override
        public void succeeded() {
            DirectTransport.this.succeeded();
        }

        @Override
        public void failed(Throwable failure) {
            DirectTransport.this.failed(failure);
        }
    }
}
