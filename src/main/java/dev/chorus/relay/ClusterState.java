package dev.chorus.relay;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What the nodes of a cluster know together: presence rosters (which users are in a channel on any
 * node), subscription and connection counts. Each node reports only its own part; a node that dies
 * has its part removed by the others once its heartbeat stops.
 * <p>Every answer is {@link Optional#empty()} when the cluster cannot be asked (single node, or the
 * shared store is unreachable): callers then fall back to what this node knows, so an outage never
 * blocks a client. Calls block the caller for one round trip to the store and are safe from any thread.
 */
public interface ClusterState {
    ClusterState NONE = new ClusterState() {
    };

    /**
     * The pseudo-channel under which signed-in users are counted: {@link #join}/{@link #leave} with it
     * decide a user's first and last signed-in connection anywhere, and dead-node cleanup reports them
     * through {@link #onMemberGone} like presence members. No real channel can have this name (the
     * {@code #} prefix is reserved and never presence).
     */
    String SIGNED_IN = "#signed-in";

    /**
     * This node now has the user in the channel (its first local connection).
     * @return true when no other node had the user there: the cluster's first connection of that user
     */
    default Optional<Boolean> join(String app, String channel, String userKey, String memberJson) {
        return Optional.empty();
    }

    /** What a join with a member limit came to. */
    enum Entry {
        /** Joined, and no other node had the user there: the cluster's first connection of that user. */
        FIRST,
        /** Joined; another node already had the user there. */
        AGAIN,
        /** Refused, nothing recorded: the user is new to the channel and it already has the limit of users. */
        FULL
    }

    /**
     * {@link #join} refused when the user is new to the channel and the channel already has {@code maxMembers}
     * distinct users on all nodes together: {@code max_presence_members} is a property of the channel, not of
     * a node. Checked and recorded in one step, so two nodes cannot both take the last place.
     * @param maxMembers distinct users allowed, negative for no limit
     */
    default Optional<Joined> join(String app, String channel, String userKey, String memberJson, int maxMembers) {
        return join(app, channel, userKey, memberJson).map(first -> new Joined(first ? Entry.FIRST : Entry.AGAIN, 0));
    }

    /**
     * What a join came to, and when it made the user new to the channel ({@link Entry#FIRST}), the channel's
     * roster version after it: the order of roster changes and roster reads, which is how a node tells
     * whether a subscriber's roster already has a change that reaches it later as a frame.
     * @param version 0 when the join changed no roster, or no version is kept
     */
    record Joined(Entry entry, long version) {
    }

    /**
     * A leave: whether no node has the user in the channel any more, and then the roster version after it.
     * @param version 0 when the leave changed no roster, or no version is kept
     */
    record Left(boolean last, long version) {
    }

    /** A channel's members over all nodes (user key → member JSON) and the roster version they were read at (0: none kept). */
    record Roster(Map<String, String> members, long version) {
    }

    /**
     * Adds {@code points} to the app's count of {@code kind} for the wall-clock second {@code epochSecond},
     * shared by every node (the backend rate limits). Only called when the limit is on.
     * @return the count of that second over all nodes after adding
     */
    default Optional<Long> rate(String app, String kind, long epochSecond, int points) {
        return Optional.empty();
    }

    /**
     * This node no longer has the user in the channel (its last local connection left).
     * @return whether no node has the user there any more
     */
    default Optional<Left> leave(String app, String channel, String userKey) {
        return Optional.empty();
    }

    /**
     * Which of {@code userKeys} are in the channel on some node: one round trip, however large the
     * channel (the watchlist asks about at most 100 of possibly millions of signed-in users).
     */
    default Optional<Set<String>> present(String app, String channel, Collection<String> userKeys) {
        return Optional.empty();
    }

    /** user key → member JSON ({@code {"id":...,"info":...}}) for the whole cluster. */
    default Optional<Map<String, String>> roster(String app, String channel) {
        return Optional.empty();
    }

    /** The whole cluster's roster of a presence channel with its version, read in one step (by default: no version kept). */
    default Optional<Roster> presence(String app, String channel) {
        return roster(app, channel).map(members -> new Roster(members, 0));
    }

    /**
     * This node's subscription count of a channel changed by {@code delta}.
     * @return the channel's subscriptions over all live nodes after the change, decided atomically, so
     *         exactly one node sees it become 1 (occupied) or 0 (vacated)
     */
    default Optional<Long> subscriptions(String app, String channel, int delta) {
        return Optional.empty();
    }

    /** The channel's subscriptions over all live nodes now, leaving this node's count as it is. */
    default Optional<Long> subscriptionTotal(String app, String channel) {
        return subscriptions(app, channel, 0);
    }

    /** This node's connection count of an app changed by {@code delta}. Fire and forget. */
    default void connections(String app, int delta) {
    }

    /** Channel → subscriptions summed over live nodes, occupied channels only. */
    default Optional<Map<String, Long>> subscriptionCounts(String app) {
        return Optional.empty();
    }

    /** Keeps a cache channel's last event for every node, for {@code ttlMillis}. Fire and forget. */
    default void cache(String app, String channel, String frame, long ttlMillis) {
    }

    /** A cache channel's last event as any node published it. */
    default Optional<String> cached(String app, String channel) {
        return Optional.empty();
    }

    /** Ids of the live nodes. */
    default Optional<Set<String>> nodes() {
        return Optional.empty();
    }

    /** Connections of the app summed over live nodes. */
    default Optional<Long> connectionCount(String app) {
        return Optional.empty();
    }

    /**
     * Re-reports this node's whole part after the store came back (others may have reaped it while
     * it was away, or it restarted empty). Rewriting the same part twice leaves the store as once.
     * @return the presence members that are now first in the cluster again, to announce
     * @throws RuntimeException when the store did not take all of it: the caller tries again (see {@link Resync})
     */
    default List<Member> resync(LocalPart part) {
        return List.of();
    }

    /**
     * Called, on any thread, whenever this node's part in the store may be wrong or gone: a write failed,
     * or the store no longer knows this node (it restarted empty, failed over, or the others reaped this
     * node while it was cut off). The listener must not block; it arranges a {@link #resync}.
     */
    default void onDirty(Runnable listener) {
    }

    /**
     * Called with (app, channel) for every channel whose subscriptions on a dead node this node removed:
     * the cluster's count changed without any subscriber leaving through a live node.
     */
    default void onSubscriptionsGone(BiConsumer<String, String> listener) {
    }

    /** Called when a dead node's last connection of a user in a channel was removed by this node. */
    default void onMemberGone(Consumer<Member> listener) {
    }

    /**
     * A presence member as the cluster stores it.
     * @param version the roster version after it left (reaped) or came back (resync); 0 when none is kept
     */
    record Member(String app, String channel, String userKey, String memberJson, long version) {
        public Member(String app, String channel, String userKey, String memberJson) {
            this(app, channel, userKey, memberJson, 0);
        }
    }

    /**
     * This node's part: app → channel → subscriptions, app → connections, the presence members
     * it holds (user key → member JSON per app and channel), and app → cache channel → its last event.
     */
    record LocalPart(Map<String, Map<String, Integer>> subscriptions, Map<String, Integer> connections,
                     Map<String, Map<String, Map<String, String>>> members, Map<String, Map<String, Cached>> caches) {
        public LocalPart(Map<String, Map<String, Integer>> subscriptions, Map<String, Integer> connections,
                         Map<String, Map<String, Map<String, String>>> members) {
            this(subscriptions, connections, members, Map.of());
        }
    }

    /** A cache channel's last event as this node keeps it, and how much longer it is kept. */
    record Cached(String frame, long ttlMillis) {
    }
}
