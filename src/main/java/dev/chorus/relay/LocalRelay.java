package dev.chorus.relay;

import java.util.function.Consumer;

/** One node, no cluster: there is nobody to tell, so publishing does nothing. */
public final class LocalRelay implements Relay {
    private final String nodeId;

    public LocalRelay(String nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public void publish(Envelope envelope) {
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
