package dev.chorus.broadcast;

import dev.chorus.app.App;
import dev.chorus.channel.Channel;
import dev.chorus.channel.Member;
import dev.chorus.protocol.ChannelKind;
import dev.chorus.relay.ClusterState;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The read model: who is where, for the HTTP API, the dashboard and the limits. Answers are the
 * cluster's when it can be asked, else this node's ({@link ClusterView} decides which); nothing here
 * changes state, so callers that only read never hold {@link Membership} or the fan-out.
 */
public final class Occupancy {
    private final Broadcaster local;
    private final ClusterView view;

    Occupancy(Broadcaster local, ClusterView view) {
        this.local = local;
        this.view = view;
    }

    /** Channel → subscriptions (no server-to-user channels, no empty ones). */
    public Map<String, Long> subscriptionCounts(App app) {
        return view.subscriptionCounts(app);
    }

    /** Distinct users of a presence channel. */
    public List<String> users(App app, String channel) {
        return view.users(app, channel);
    }

    /** The live node ids, or just this one. */
    /** This node's id in the cluster (also when alone). */
    public String nodeId() {
        return view.nodeId();
    }

    public Set<String> nodes() {
        return view.nodes();
    }

    /** @param here this node's open connections of the app: the answer when the cluster cannot be asked */
    public long connectionCount(App app, int here) {
        return view.connectionCount(app, here);
    }

    /**
     * Which of the users are signed in anywhere.
     * @param here who is signed in on this node: the answer when the cluster cannot be asked
     */
    public Set<String> signedInAnywhere(App app, Collection<String> userIds, Supplier<Set<String>> here) {
        return view.signedIn(app, userIds, here);
    }

    /** A cache channel's last event, or null. */
    public String cached(App app, String channel) {
        return view.cached(app, channel);
    }

    /** This node's part of the cluster state, for re-reporting after an outage. */
    public ClusterState.LocalPart localPart(Map<String, Integer> connectionsByApp) {
        Map<String, Map<String, Integer>> subscriptions = new HashMap<>();
        Map<String, Map<String, Map<String, String>>> members = new HashMap<>();
        // Cache channels' last events too: a Redis restarted empty would otherwise forget them.
        Map<String, Map<String, ClusterState.Cached>> caches = new HashMap<>();
        long now = System.nanoTime();
        local.registries().forEach((appId, registry) -> {
            registry.cachedEvents(now).forEach((channel, event) -> caches.computeIfAbsent(appId, id -> new HashMap<>())
                    .put(channel, new ClusterState.Cached(event.frame(), (event.expiresAtNanos() - now) / 1_000_000)));
            for (Channel channel : registry.channels()) {
                if (channel.kind() == ChannelKind.SERVER_TO_USER || channel.isEmpty()) {
                    continue;
                }
                subscriptions.computeIfAbsent(appId, id -> new HashMap<>()).put(channel.name(), channel.subscriptionCount());
                if (channel.kind().presence()) {
                    Map<String, String> roster = new HashMap<>();
                    for (Member member : channel.members()) {
                        roster.put(member.userKey(), MemberJson.of(member));
                    }
                    members.computeIfAbsent(appId, id -> new HashMap<>()).put(channel.name(), roster);
                }
            }
        });
        return new ClusterState.LocalPart(subscriptions, connectionsByApp, members, caches);
    }
}
