package dev.chorus.server;

import dev.chorus.connection.Transport;
import dev.chorus.protocol.EncodedFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * A transport that records frames. By default each send completes inline (as Jetty does on a
 * writable socket); {@link #stall()} makes sends never complete, like a peer that stopped reading.
 */
final class RecordingTransport implements Transport {
    final List<String> frames = new ArrayList<>();
    /** The frame objects as handed over, to check that recipients share one encoding. */
    final List<EncodedFrame> encoded = new ArrayList<>();
    int closeCode = -1;
    String closeReason;
    int pings;
    private boolean stalled;
    private final List<Completion> waiting = new ArrayList<>();

    void stall() {
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
    public void ping() {
        pings++;
    }

    synchronized String last() {
        return frames.isEmpty() ? null : frames.get(frames.size() - 1);
    }

    synchronized List<String> take() {
        List<String> out = new ArrayList<>(frames);
        frames.clear();
        encoded.clear();
        return out;
    }
}
