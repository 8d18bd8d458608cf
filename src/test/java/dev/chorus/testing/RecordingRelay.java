package dev.chorus.testing;

import dev.chorus.relay.Envelope;
import dev.chorus.relay.Relay;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A relay that records what this node would tell the other nodes, and never receives anything (use
 * {@link InMemoryCluster} for nodes that hear each other).
 * <p>Threading: {@link #sent} is safe to read and clear from any thread.
 */
public final class RecordingRelay implements Relay {
    /** The envelopes published, oldest first. */
    public final List<Envelope> sent = new CopyOnWriteArrayList<>();
    private final String nodeId;

    /** A node called {@code here}. */
    public RecordingRelay() {
        this("here");
    }

    public RecordingRelay(String nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public void publish(Envelope envelope) {
        sent.add(envelope);
    }

    @Override
    public void start(Consumer<Envelope> receiver) {
    }

    @Override
    public boolean connected() {
        return true;
    }

    @Override
    public void close() {
    }
}
