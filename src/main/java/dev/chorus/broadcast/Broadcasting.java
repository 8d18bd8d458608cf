package dev.chorus.broadcast;

import dev.chorus.metrics.Metrics;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.Relay;
import dev.chorus.webhook.WebhookEmitter;
import java.time.Duration;

/**
 * The broadcast roles built together over one node's channel registries: a composition root (or a
 * test) takes the whole, and hands each caller only the role it needs.
 *
 * @param broadcaster fan-out: events to sockets, here and (relayed) on the other nodes
 * @param membership  subscribe, sign-in and connection bookkeeping, decided for the cluster
 * @param occupancy   the read model: counts, users, nodes, cached events
 * @param webhooks    for the events only the server sees (client events, cache misses)
 */
public record Broadcasting(Broadcaster broadcaster, Membership membership, Occupancy occupancy, WebhookEmitter webhooks)
        implements AutoCloseable {

    /** One node alone, or the tests': no webhooks, no metrics. */
    public static Broadcasting of(Relay relay, ClusterState cluster) {
        return of(relay, cluster, WebhookEmitter.NONE, Metrics.NONE);
    }

    /**
     * @param relay    where every published event also goes, for the other nodes
     * @param cluster  what the nodes know together; {@link ClusterState#NONE} for one node
     * @param webhooks told of lifecycle events as the cluster decides them (once, not per node)
     */
    public static Broadcasting of(Relay relay, ClusterState cluster, WebhookEmitter webhooks, Metrics metrics) {
        return of(relay, cluster, webhooks, metrics, SubscriptionCounts.INTERVAL);
    }

    /** @param countInterval how often subscription counts go out; {@link Duration#ZERO}: only by {@link Membership#flushCounts()} */
    static Broadcasting of(Relay relay, ClusterState cluster, WebhookEmitter webhooks, Metrics metrics, Duration countInterval) {
        Broadcaster broadcaster = new Broadcaster(relay, cluster, metrics);
        ClusterView view = new ClusterView(cluster, broadcaster, relay.nodeId());
        return new Broadcasting(broadcaster, new Membership(broadcaster, view, relay, webhooks, countInterval),
                new Occupancy(broadcaster, view), webhooks);
    }

    /** Stops the count timer, then the fan-out threads (container shutdown). */
    @Override
    public void close() {
        membership.close();
        broadcaster.close();
    }
}
