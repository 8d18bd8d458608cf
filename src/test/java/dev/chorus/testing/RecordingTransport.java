package dev.chorus.testing;

import dev.chorus.connection.Transport;
import dev.chorus.protocol.EncodedFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * A transport that records frames. By default each send completes inline (as Jetty does on a
 * writable socket); {@link #stall()} makes sends never complete, like a peer that stopped reading.
 * <p>Threading: every method may be called from any thread; reads see a consistent snapshot.
 */
public final class RecordingTransport implements Transport {
    private final List<String> frames = new ArrayList<>();
    /** The frame objects as handed over, to check that recipients share one encoding. */
    private final List<EncodedFrame> encoded = new ArrayList<>();
    private int closeCode = -1;
    private String closeReason;
    private int pings;
    private boolean stalled;
    private final List<Completion> waiting = new ArrayList<>();

    /** From now on no send completes. */
    public synchronized void stall() {
        stalled = true;
    }

    @Override
    public synchronized void send(EncodedFrame frame, Completion done) {
        frames.add(frame.text());
        encoded.add(frame);
        if (stalled) {
            waiting.add(done);
        } else {
            done.done(null);
        }
    }

    @Override
    public synchronized void close(int code, String reason) {
        if (closeCode == -1) {
            closeCode = code;
            closeReason = reason;
        }
    }

    @Override
    public synchronized void ping() {
        pings++;
    }

    /** Frames sent so far, as text, oldest first. */
    public synchronized List<String> frames() {
        return List.copyOf(frames);
    }

    /** The frame objects sent so far, as handed over. */
    public synchronized List<EncodedFrame> encoded() {
        return List.copyOf(encoded);
    }

    /** The close code, {@code -1} while open. */
    public synchronized int closeCode() {
        return closeCode;
    }

    public synchronized String closeReason() {
        return closeReason;
    }

    /** WebSocket pings sent. */
    public synchronized int pings() {
        return pings;
    }

    /** The last frame, null when none was sent. */
    public synchronized String last() {
        return frames.isEmpty() ? null : frames.get(frames.size() - 1);
    }

    /** The frames sent since the last take, which are forgotten. */
    public synchronized List<String> take() {
        List<String> out = new ArrayList<>(frames);
        frames.clear();
        encoded.clear();
        return out;
    }
}
