package dev.chorus.websocket.jetty;

import dev.chorus.connection.Transport;
import dev.chorus.protocol.EncodedFrame;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
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
 * <p>Control frames are bounded like data: at most one ping of ours and one pong wait behind the
 * write in flight, and a newer pong replaces the waiting one (RFC 6455 §5.5.3 allows answering only
 * the latest ping), so a client that pings without reading costs a constant amount of memory. A
 * write that makes no progress for {@code writeTimeout} (the client stopped reading, yet keeps the
 * socket busy) aborts the socket, checked by {@link #checkWrite} from the liveness pass.
 * <p>Threading: any method from any thread; a monitor guards the few fields, never held across a
 * write or a callback. A write that completes at once calls back inline.
 */
final class DirectTransport implements Transport {
    private static final ClosedChannelException CLOSED = new ClosedChannelException();
    private static final int TOKEN_LENGTH = Long.BYTES;

    private final CoreSession session;
    private final EndPoint endPoint;
    private final long writeTimeoutNanos;
    private final Callback written = new Written();
    private final ByteBuffer[] single = new ByteBuffer[1];
    /** Our pings carry this: only a pong that echoes it proves the client reads (an unsolicited pong does not). */
    private final long pingToken = ThreadLocalRandom.current().nextLong();
    private final byte[] ping;
    // Guarded by this.
    private boolean writing;
    private boolean closed;
    /** Completion of the data write in flight; null while a control frame is in flight. */
    private Completion inFlight;
    /** A data send that arrived while a control frame was being written. */
    private ByteBuffer[] waitingData;
    private Completion waitingDone;
    /** Our ping, waiting behind the write in flight. */
    private boolean waitingPing;
    /** The answer to the client's latest ping, waiting behind the write in flight; replaced, never queued. */
    private ByteBuffer waitingPong;
    private Runnable whenIdle;
    /** Writes started so far, and the count the last {@link #checkWrite} saw with the time it first saw it. */
    private long writes;
    private long checkedWrites = -1;
    private long checkedSinceNanos;

    DirectTransport(CoreSession session, EndPoint endPoint, Duration writeTimeout) {
        this.session = session;
        this.endPoint = endPoint;
        this.writeTimeoutNanos = writeTimeout.toNanos();
        this.ping = ByteBuffer.allocate(2 + TOKEN_LENGTH).put((byte) 0x89).put((byte) TOKEN_LENGTH).putLong(pingToken).array();
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
                writes++;
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
        synchronized (this) {
            if (closed) {
                return;
            }
            if (writing) {
                waitingPing = true;
                return;
            }
            writing = true;
            writes++;
            inFlight = null;
        }
        endPoint.write(written, ByteBuffer.wrap(ping));
    }

    /** True when this pong payload is the one our pings carry: the client read our ping. */
    @Override
    public boolean answersPing(ByteBuffer payload) {
        return payload != null && payload.remaining() == TOKEN_LENGTH && payload.getLong(payload.position()) == pingToken;
    }

    /**
     * Answers a client's ping with its payload (at most 125 bytes: the parser refuses more). While a
     * write is in flight only the latest answer waits: older ones are dropped.
     */
    void pong(ByteBuffer payload) {
        int length = payload == null ? 0 : payload.remaining();
        ByteBuffer frame = ByteBuffer.allocate(2 + length);
        frame.put((byte) 0x8A).put((byte) length);
        if (length > 0) {
            frame.put(payload.slice());
        }
        frame.flip();
        synchronized (this) {
            if (closed) {
                return;
            }
            if (writing) {
                waitingPong = frame;
                return;
            }
            writing = true;
            writes++;
            inFlight = null;
        }
        endPoint.write(written, frame);
    }

    /** Control frames waiting now: at most our ping and one pong, whatever the client sends. */
    synchronized int waitingControlFrames() {
        return (waitingPing ? 1 : 0) + (waitingPong != null ? 1 : 0);
    }

    /**
     * Aborts the socket when the same write has been in flight for the write timeout: the client
     * stopped reading. Also after our close, which waits for the write in flight; the liveness pass
     * stops calling this once the connection is gone, so {@link CoreEndpoint} bounds that case itself.
     */
    @Override
    public void checkWrite(long nowNanos) {
        synchronized (this) {
            if (!writing) {
                checkedWrites = -1;
                return;
            }
            if (writes != checkedWrites) {
                checkedWrites = writes;
                checkedSinceNanos = nowNanos;
                return;
            }
            if (nowNanos - checkedSinceNanos < writeTimeoutNanos) {
                return;
            }
        }
        failed(new TimeoutException("write stuck for " + writeTimeoutNanos / 1_000_000 + " ms"));
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
            if (waitingPing && !closed) {
                waitingPing = false;
                control = ByteBuffer.wrap(ping);
                writes++;
            } else if (waitingPong != null && !closed) {
                control = waitingPong;
                waitingPong = null;
                writes++;
            } else if (waitingData != null) {
                next = waitingData;
                inFlight = waitingDone;
                waitingData = null;
                waitingDone = null;
                writes++;
            } else {
                writing = false;
                waitingPing = false;
                waitingPong = null;
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
            waitingPing = false;
            waitingPong = null;
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
