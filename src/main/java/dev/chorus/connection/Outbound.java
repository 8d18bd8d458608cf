package dev.chorus.connection;

import dev.chorus.protocol.EncodedFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded outbound queue with at most one send in flight. {@link #offer} never blocks: it is
 * called by fan-out loops that must not wait for any one socket. A completion that runs inline
 * inside {@code Transport.send} (Jetty does this when the socket is writable) is trampolined back into
 * the draining loop instead of recursing, so a long queue cannot overflow the stack.
 */
final class Outbound {
    private static final ThreadLocal<Outbound> DRAINING = new ThreadLocal<>();
    /** Frames handed to the transport at once when they queued up behind a send (one write on Jetty). */
    private static final int MAX_BATCH = 64;

    private final Transport transport;
    private final int maxPending;
    private final Runnable onOverflow;
    private final Runnable onFailure;
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final Transport.Completion completion = this::completed;
    private final ArrayList<EncodedFrame> batch = new ArrayList<>(MAX_BATCH);
    /** Frames of the send in flight, released together when it completes. */
    private volatile int inFlight;
    private final AtomicBoolean closed = new AtomicBoolean();

    Outbound(Transport transport, int maxPending, Runnable onOverflow, Runnable onFailure) {
        this.transport = transport;
        this.maxPending = maxPending;
        this.onOverflow = onOverflow;
        this.onFailure = onFailure;
    }

    /** Queues a frame; past the bound the queue is dropped and {@code onOverflow} runs once. */
    void offer(EncodedFrame frame) {
        if (closed.get()) {
            return;
        }
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            overflow();
            return;
        }
        // Fast path, the common case: nothing queued and nothing in flight, so send at once.
        if (queue.isEmpty() && DRAINING.get() != this && sending.compareAndSet(false, true)) {
            if (queue.isEmpty() && !closed.get()) {
                inFlight = 1;
                transport.send(frame, completion);
                return;
            }
            sending.set(false);
        }
        queue.offer(frame);
        drain();
    }

    /**
     * Queues frames in order, as {@link #offer} would one by one; when nothing is queued or in flight
     * they go to the transport at once as one batch (one write on Jetty). The list must not change.
     */
    void offerAll(List<EncodedFrame> frames) {
        int count = frames.size();
        if (closed.get() || count == 0) {
            return;
        }
        if (pending.addAndGet(count) > maxPending) {
            pending.addAndGet(-count);
            overflow();
            return;
        }
        if (queue.isEmpty() && DRAINING.get() != this && sending.compareAndSet(false, true)) {
            if (queue.isEmpty() && !closed.get()) {
                inFlight = count;
                transport.sendAll(frames, completion);
                return;
            }
            sending.set(false);
        }
        queue.addAll(frames);
        drain();
    }

    /**
     * Sends what is queued, then closes with this code: used for refusals and protocol closes.
     * {@code then} runs once the transport has been asked to close, or at once when this queue is (or
     * becomes) closed some other way: whoever waits for it never waits for a socket that is gone.
     */
    void closeAfterFlush(int code, String reason, Runnable then) {
        if (closed.get()) {
            then.run();
            return;
        }
        queue.offer(new CloseCommand(code, reason, then));
        if (closed.get()) {
            // Closed while the command was being queued: nobody will send it.
            clear();
            return;
        }
        drain();
    }

    /** Stops sending at once and drops the queue. */
    void abandon() {
        closed.set(true);
        clear();
    }

    /** Drops what is queued; a dropped close still tells whoever waits for it. */
    private void clear() {
        Object next;
        while ((next = queue.poll()) != null) {
            if (next instanceof CloseCommand close) {
                close.then.run();
            }
        }
    }

    int pending() {
        return pending.get();
    }

    /** No lock held while {@code onOverflow} runs: it fans out member_removed to other queues. */
    private void overflow() {
        if (closed.compareAndSet(false, true)) {
            clear();
            onOverflow.run();
        }
    }

    private void drain() {
        Outbound outer = DRAINING.get();
        if (outer == this) {
            return;
        }
        DRAINING.set(this);
        try {
            while (!closed.get() && sending.compareAndSet(false, true)) {
                Object next = queue.poll();
                if (next == null) {
                    sending.set(false);
                    if (queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                if (next instanceof CloseCommand close) {
                    closed.set(true);
                    transport.close(close.code, close.reason);
                    clear();
                    close.then.run();
                    return;
                }
                // Whatever queued up behind the last send goes out together; a close waits for the next round.
                Object following = queue.peek();
                if (following == null || following instanceof CloseCommand) {
                    inFlight = 1;
                    transport.send((EncodedFrame) next, completion);
                    continue;
                }
                batch.clear();
                batch.add((EncodedFrame) next);
                while (batch.size() < MAX_BATCH && queue.peek() instanceof EncodedFrame) {
                    batch.add((EncodedFrame) queue.poll());
                }
                inFlight = batch.size();
                transport.sendAll(List.copyOf(batch), completion);
            }
        } finally {
            DRAINING.set(outer);
        }
    }

    private void completed(Throwable failure) {
        pending.addAndGet(-inFlight);
        sending.set(false);
        if (failure != null) {
            if (closed.compareAndSet(false, true)) {
                clear();
                onFailure.run();
            }
            return;
        }
        drain();
    }

    private record CloseCommand(int code, String reason, Runnable then) {
    }
}
