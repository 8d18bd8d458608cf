package dev.chorus.broadcast;

import dev.chorus.app.App;
import dev.chorus.channel.Channel;
import dev.chorus.channel.ChannelRegistry;
import dev.chorus.protocol.ChannelKind;
import dev.chorus.protocol.RosterChange;
import dev.chorus.relay.ClusterState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the nodes know together, and what this node knows alone when the cluster cannot be asked (one
 * node, or Redis down). Every {@code cluster.x().orElse(local)} lives here, so {@link Membership} and
 * {@link Occupancy} decide from plain answers and the fallback rule is stated once: the cluster's
 * answer when there is one, else this node's registries, as if it were the only node.
 */
final class ClusterView {
    private final ClusterState cluster;
    private final Broadcaster local;
    private final String nodeId;
    /** One node by configuration ({@link ClusterState#NONE}): its own roster versions order its frames. */
    private final boolean alone;

    /** @param local whose registries hold this node's part */
    ClusterView(ClusterState cluster, Broadcaster local, String nodeId) {
        this.cluster = cluster;
        this.alone = cluster == ClusterState.NONE;
        this.local = local;
        this.nodeId = nodeId;
    }

    /** This node's id in the cluster (also when alone). */
    String nodeId() {
        return nodeId;
    }

    /** Records this node's change of the channel's subscriptions; the total after it. */
    long subscriptionsAfter(App app, String channel, int delta, int localAfter) {
        return cluster.subscriptions(app.id(), channel, delta).orElse((long) localAfter);
    }

    /** The channel's subscriptions now, without changing them. */
    long subscriptionTotal(App app, Channel channel) {
        return cluster.subscriptionTotal(app.id(), channel.name()).orElse((long) channel.subscriptionCount());
    }

    /** The presence payload for a subscriber: the cluster's roster, else this node's ({@code localData}). */
    String presenceData(App app, String channel, String localData) {
        return cluster.roster(app.id(), channel).map(MemberJson::presenceData).orElse(localData);
    }

    /**
     * The presence payload for a subscriber and the roster version it shows: the cluster's, else this
     * node's ({@code localData}, at {@code localVersion}). The subscriber's own member is always in it, as
     * Pusher's is: a second connection of a user can read the cluster's roster before the first one's join
     * is recorded, and the member frame that would have told it is about itself.
     */
    Presence presence(App app, String channel, String localData, long localVersion, String selfKey, String selfJson) {
        return cluster.presence(app.id(), channel).map(roster -> {
            Map<String, String> members = roster.members();
            if (!members.containsKey(selfKey)) {
                members = new LinkedHashMap<>(members);
                members.put(selfKey, selfJson);
            }
            return new Presence(MemberJson.presenceData(members), roster.version());
        }).orElse(new Presence(localData, local(localVersion)));
    }

    /**
     * This node's roster version where this node's answers stand alone. A clustered node that cannot ask
     * Redis answers without one: its own numbers and the cluster's do not order each other.
     */
    private long local(long localVersion) {
        return alone ? localVersion : RosterChange.UNORDERED;
    }

    /** A {@code subscription_succeeded} presence payload and the roster version it was read at. */
    record Presence(String data, long version) {
    }

    /**
     * Records a user new to the channel on this node. Unreachable cluster: this node's registry already
     * checked the member limit on its own part, so the user counts as first.
     * @param localVersion this node's roster version after the join
     */
    ClusterState.Joined join(App app, String channel, String userKey, String memberJson, long localVersion) {
        return cluster.join(app.id(), channel, userKey, memberJson, app.maxPresenceMembers())
                .orElse(new ClusterState.Joined(ClusterState.Entry.FIRST, local(localVersion)));
    }

    /** Records a user's first signed-in connection on this node; true when first anywhere (alone: always). */
    boolean signIn(App app, String userId) {
        return cluster.join(app.id(), ClusterState.SIGNED_IN, userId, "{}").orElse(true);
    }

    /**
     * Records that the user left the channel on this node; whether they left the whole cluster (alone: always).
     * @param localVersion this node's roster version after the leave
     */
    ClusterState.Left leave(App app, String channel, String userKey, long localVersion) {
        return cluster.leave(app.id(), channel, userKey).orElse(new ClusterState.Left(true, local(localVersion)));
    }

    /** Records that a signed-in user's last connection here closed; true when they left the whole cluster (alone: always). */
    boolean signOut(App app, String userId) {
        return cluster.leave(app.id(), ClusterState.SIGNED_IN, userId).map(ClusterState.Left::last).orElse(true);
    }

    /** Reports a connection opened or closed here; nothing to fall back to, the total is only read (alone: this node's). */
    void connections(App app, int delta) {
        cluster.connections(app.id(), delta);
    }

    /** Channel → subscriptions, without server-to-user channels and empty ones. */
    Map<String, Long> subscriptionCounts(App app) {
        return cluster.subscriptionCounts(app.id()).orElseGet(() -> {
            Map<String, Long> counts = new HashMap<>();
            for (Channel channel : local.channels(app).channels()) {
                if (channel.kind() != ChannelKind.SERVER_TO_USER && !channel.isEmpty()) {
                    counts.put(channel.name(), (long) channel.subscriptionCount());
                }
            }
            return counts;
        });
    }

    /** Distinct users of a presence channel. */
    List<String> users(App app, String channel) {
        return cluster.roster(app.id(), channel).map(roster -> (List<String>) new ArrayList<>(roster.keySet()))
                .orElseGet(() -> {
                    Channel found = local.channels(app).find(channel);
                    List<String> users = new ArrayList<>();
                    if (found != null) {
                        found.members().forEach(member -> users.add(member.userKey()));
                    }
                    return users;
                });
    }

    /** The live node ids; alone, just this one. */
    Set<String> nodes() {
        return cluster.nodes().orElse(Set.of(nodeId));
    }

    /** @param here this node's connections of the app */
    long connectionCount(App app, int here) {
        return cluster.connectionCount(app.id()).orElse((long) here);
    }

    /**
     * Which of the users are signed in anywhere.
     * @param here who is signed in on this node: the answer when the cluster cannot be asked
     */
    Set<String> signedIn(App app, Collection<String> userIds, Supplier<Set<String>> here) {
        return cluster.present(app.id(), ClusterState.SIGNED_IN, userIds).orElseGet(here);
    }

    /** A cache channel's last event: this node's copy first, else the cluster's (a node started after it was sent). */
    String cached(App app, String channel) {
        ChannelRegistry registry = local.channels(app);
        String here = registry.cached(channel, System.nanoTime());
        return here != null ? here : cluster.cached(app.id(), channel).orElse(null);
    }
}
