package dev.chorus.relay;

import java.util.function.Consumer;

/**
 * Carries {@link Envelope}s between the nodes of a cluster.
 * <p>Delivery: at most once per receiving node. Envelopes published while the link to the other nodes is
 * down wait in a bounded, time-limited buffer and are relayed once it is back (local delivery has
 * already happened); what overflows that bound is dropped and counted, never queued without bound.
 * Order: envelopes from one node reach every other node in the order that node published them, so
 * one client's or one publisher's events stay in order.
 * <p>Threading: {@link #publish} may be called from any thread and never blocks on the network;
 * the receiver passed to {@link #start} is called on one relay thread, one envelope at a time, and
 * never with the node's own envelopes.
 */
public interface Relay extends AutoCloseable {
    /** This node's id, unique in the cluster. */
    String nodeId();

    void publish(Envelope envelope);

    void start(Consumer<Envelope> receiver);

    /** True while envelopes can reach the other nodes. */
    boolean connected();

    @Override
    void close();
}
