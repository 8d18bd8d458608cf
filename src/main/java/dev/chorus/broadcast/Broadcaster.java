package dev.chorus.broadcast;

import dev.chorus.app.App;
import dev.chorus.channel.Channel;
import dev.chorus.channel.ChannelRegistry;
import dev.chorus.channel.Subscriber;
import dev.chorus.protocol.ChannelKind;
import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.channel.Member;
import dev.chorus.protocol.EncodedFrame;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.Json;
import dev.chorus.protocol.PresenceRoster;
import dev.chorus.protocol.Webhooks;
import dev.chorus.webhook.WebhookEmitter;
import dev.chorus.metrics.Metrics;
import dev.chorus.relay.ClusterState;
import java.util.ArrayList;
import java.util.List;
import dev.chorus.relay.Envelope;
import dev.chorus.relay.Relay;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The single fan-out entry point: server events, client events and presence notices all end here.
 * Each message is encoded once and the same bytes are handed to every recipient. Thread-safe; never
 * waits for a socket. Small channels have the frame queued on every local socket when a call returns;
 * large ones get it from {@link FanOut}'s threads moments later (see there for the order promised).
 */
public final class Broadcaster {
    private final Map<String, ChannelRegistry> registries = new ConcurrentHashMap<>();
    private final Relay relay;
    private final ClusterState cluster;
    private final WebhookEmitter webhooks;
    private final Metrics metrics;
    private final FanOut fanOut = new FanOut();
    private final SubscriptionCounts counts;

    /**
     * @param relay   where every published event also goes, for the other nodes
     * @param cluster what the nodes know together; {@link ClusterState#NONE} for one node
     */
    public Broadcaster(Relay relay, ClusterState cluster) {
        this(relay, cluster, WebhookEmitter.NONE);
    }

    /** @param webhooks told of lifecycle events as the cluster decides them (once, not per node) */
    public Broadcaster(Relay relay, ClusterState cluster, WebhookEmitter webhooks) {
        this(relay, cluster, webhooks, Metrics.NONE);
    }

    public Broadcaster(Relay relay, ClusterState cluster, WebhookEmitter webhooks, Metrics metrics) {
        this(relay, cluster, webhooks, metrics, SubscriptionCounts.INTERVAL);
    }

    /** @param countInterval how often subscription counts go out; {@link java.time.Duration#ZERO}: only by {@link #flushCounts()} */
    Broadcaster(Relay relay, ClusterState cluster, WebhookEmitter webhooks, Metrics metrics, java.time.Duration countInterval) {
        this.relay = relay;
        this.cluster = cluster;
        this.webhooks = webhooks;
        this.metrics = metrics;
        this.counts = new SubscriptionCounts(this::sendCount, countInterval);
    }

    /** For events only the server sees (client events, cache misses). */
    public void emit(App app, com.fasterxml.jackson.databind.node.ObjectNode event) {
        webhooks.emit(app, event);
    }

    /** Occupied, vacated and the new count, from the cluster's total when scaling, else this node's. */
    private void counted(App app, Channel channel, int delta, int localAfter) {
        long total = cluster.subscriptions(app.id(), channel.name(), delta).orElse((long) localAfter);
        if (app.features().subscriptionCount() && countsPushed(channel.kind())) {
            // Only a mark: the count goes out on SubscriptionCounts' timer, coalesced per channel.
            counts.changedHere(app, channel.name());
        }
        if (app.webhooks().isEmpty()) {
            return;
        }
        if (delta > 0 && total == 1) {
            webhooks.emit(app, Webhooks.channelEvent(Webhooks.CHANNEL_OCCUPIED, channel.name()));
        } else if (delta < 0 && total == 0) {
            webhooks.emit(app, Webhooks.channelEvent(Webhooks.CHANNEL_VACATED, channel.name()));
        }
        webhooks.emit(app, Webhooks.subscriptionCount(channel.name(), total));
    }

    /** Pusher sends subscription counts on every channel kind but presence (which has its members). */
    private static boolean countsPushed(ChannelKind kind) {
        return !kind.presence() && kind != ChannelKind.SERVER_TO_USER;
    }

    /** Another node's subscriptions of the channel changed: this node's subscribers get the new total. */
    public void countChanged(App app, String channel) {
        if (app.features().subscriptionCount() && countsPushed(ChannelKind.of(channel))) {
            counts.changedElsewhere(app, channel);
        }
    }

    /**
     * A dead node's subscriptions of the channel were removed by this node: only this node knows, so it
     * tells the others as for a change of its own.
     */
    public void countGone(App app, String channel) {
        if (app.features().subscriptionCount() && countsPushed(ChannelKind.of(channel))) {
            counts.changedHere(app, channel);
        }
    }

    /** Sends every pending subscription count now (the timer does this every {@link SubscriptionCounts#INTERVAL}). */
    public void flushCounts() {
        counts.flush();
    }

    /**
     * One coalesced count: the other nodes are told the channel changed (they read the total themselves
     * when they send, so whichever order notices arrive in, the last count sent is the current one), and
     * this node's subscribers get the total as it is now, one frame encoded once for all of them.
     */
    private void sendCount(App app, String channel, boolean changedHere) {
        if (changedHere) {
            relay.publish(Envelope.count(relay.nodeId(), app.id(), channel));
        }
        Channel target = channels(app).find(channel);
        if (target == null || target.isEmpty()) {
            return;
        }
        long total = cluster.subscriptionTotal(app.id(), channel).orElse((long) target.subscriptionCount());
        deliver(app, target, Frames.subscriptionCount(channel, total), null);
    }

    /** The outcome of a subscribe, with presence decided for the whole cluster. */
    public record Joined(ChannelRegistry.Subscribed local, String presenceData, boolean firstForUser) {
    }

    /**
     * Subscribes on this node and reports it to the cluster. For presence channels the roster and
     * "first connection of this user" are the cluster's; when the cluster cannot be asked, this node's.
     */
    public Joined subscribe(App app, String channel, Subscriber subscriber, Member member) {
        ChannelRegistry.Subscribed local = channels(app).subscribe(channel, subscriber, member, app.maxPresenceMembers(),
                app.limits().maxChannels());
        if (local.rosterFull() || local.channelsFull()) {
            return new Joined(local, null, false);
        }
        if (local.alreadySubscribed()) {
            String roster = local.channel().kind().presence()
                    ? cluster.roster(app.id(), channel).map(Broadcaster::presenceData).orElse(local.presenceData()) : null;
            return new Joined(local, roster, false);
        }
        ChannelKind kind = local.channel().kind();
        boolean first = false;
        if (kind.presence() && local.firstForUser()) {
            // max_presence_members is the channel's over all nodes: the cluster decides whether a new user fits
            // (this node's registry only checked its own part). Unreachable cluster: this node's check stands.
            ClusterState.Entry entry = cluster.join(app.id(), channel, member.userKey(), memberJson(member),
                    app.maxPresenceMembers()).orElse(ClusterState.Entry.FIRST);
            if (entry == ClusterState.Entry.FULL) {
                // Taken back before anything was counted or announced. Small race, accepted: a second connection
                // of the same user on this node in between stays subscribed while the cluster has not recorded it.
                channels(app).unsubscribe(channel, subscriber, member);
                return new Joined(new ChannelRegistry.Subscribed(local.channel(), false, false, true, null,
                        local.subscriptions() - 1, false), null, false);
            }
            first = entry == ClusterState.Entry.FIRST;
        }
        if (kind != ChannelKind.SERVER_TO_USER) {
            counted(app, local.channel(), 1, local.subscriptions());
        }
        if (!kind.presence()) {
            return new Joined(local, null, false);
        }
        if (first) {
            webhooks.emit(app, Webhooks.member(Webhooks.MEMBER_ADDED, channel, member.userKey()));
        }
        String roster = cluster.roster(app.id(), channel).map(Broadcaster::presenceData).orElse(local.presenceData());
        return new Joined(local, roster, first);
    }

    /** Unsubscribes on this node; announces {@code member_removed} when the user left the whole cluster. */
    public void unsubscribe(App app, String channel, Subscriber subscriber, Member member) {
        unsubscribe(app, channel, subscriber, member, true);
    }

    /**
     * Unsubscribes on this node.
     * @param announce false for a subscribe taken back before its {@code member_added} went out (the
     *                 connection closed meanwhile): the members never heard of the user, so they must not
     *                 hear {@code member_removed} either. Webhooks stay paired: member_added was emitted.
     */
    public void unsubscribe(App app, String channel, Subscriber subscriber, Member member, boolean announce) {
        ChannelRegistry.Unsubscribed local = channels(app).unsubscribe(channel, subscriber, member);
        if (local == null) {
            return;
        }
        ChannelKind kind = local.channel().kind();
        if (local.lastForUser() && cluster.leave(app.id(), channel, member.userKey()).orElse(true)) {
            if (announce) {
                publishInternal(app, local.channel(), Frames.memberRemoved(channel, member.userIdJson()), null);
            }
            webhooks.emit(app, Webhooks.member(Webhooks.MEMBER_REMOVED, channel, member.userKey()));
        }
        if (kind != ChannelKind.SERVER_TO_USER) {
            counted(app, local.channel(), -1, local.subscriptions());
        }
    }

    /** A cache channel's last event: this node's copy, else the cluster's (a node started after it was sent). */
    public String cached(App app, String channel) {
        String local = channels(app).cached(channel, System.nanoTime());
        return local != null ? local : cluster.cached(app.id(), channel).orElse(null);
    }

    /** A pusher_internal frame (member_added, member_removed) for every node's subscribers; never cached. */
    public void publishInternal(App app, Channel channel, String frame, String exceptSocketId) {
        deliver(app, channel, frame, exceptSocketId);
        relay.publish(Envelope.internal(relay.nodeId(), app.id(), channel.name(), frame, exceptSocketId));
    }

    /** A relayed internal frame from another node. */
    public void receiveInternal(App app, String channel, String frame, String exceptSocketId) {
        Channel target = channels(app).find(channel);
        if (target != null) {
            deliver(app, target, frame, exceptSocketId);
        }
    }

    /** A dead node held the user's last connection: tell everyone here and on the other nodes. */
    public void memberGone(App app, String channel, String memberJson) {
        String frame = Frames.memberRemoved(channel, userIdJson(memberJson));
        webhooks.emit(app, Webhooks.member(Webhooks.MEMBER_REMOVED, channel, parse(memberJson).get("id").asText()));
        Channel target = channels(app).find(channel);
        if (target != null) {
            deliver(app, target, frame, null);
        }
        relay.publish(Envelope.internal(relay.nodeId(), app.id(), channel, frame, null));
    }

    /** Presence members that became first in the cluster again after an outage: announce them. */
    public void memberBack(App app, String channel, String memberJson) {
        JsonNode member = parse(memberJson);
        String frame = Frames.memberAdded(channel, member.get("id").toString(),
                member.hasNonNull("info") ? member.get("info").toString() : null);
        webhooks.emit(app, Webhooks.member(Webhooks.MEMBER_ADDED, channel, member.get("id").asText()));
        Channel target = channels(app).find(channel);
        if (target != null) {
            deliver(app, target, frame, null);
        }
        relay.publish(Envelope.internal(relay.nodeId(), app.id(), channel, frame, null));
    }

    /**
     * This node's first signed-in connection of the user opened. Counted like a presence member of
     * {@link ClusterState#SIGNED_IN}, so first and last are decided once for the cluster.
     * @return true when it is the user's first signed-in connection anywhere: the other nodes have been
     *         told, this node's watchers are the caller's to tell
     */
    public boolean signedIn(App app, String userId) {
        boolean first = cluster.join(app.id(), ClusterState.SIGNED_IN, userId, "{}").orElse(true);
        if (first) {
            relay.publish(Envelope.userStatus(relay.nodeId(), app.id(), userId, true));
        }
        return first;
    }

    /**
     * This node's last signed-in connection of the user closed.
     * @return true when the user has no signed-in connection anywhere now (the other nodes have been told)
     */
    public boolean signedOut(App app, String userId) {
        boolean last = cluster.leave(app.id(), ClusterState.SIGNED_IN, userId).orElse(true);
        if (last) {
            relay.publish(Envelope.userStatus(relay.nodeId(), app.id(), userId, false));
        }
        return last;
    }

    /** Tells the other nodes of a status this node learned from the cluster (a reaped node, a resync). */
    public void announceUserStatus(App app, String userId, boolean online) {
        relay.publish(Envelope.userStatus(relay.nodeId(), app.id(), userId, online));
    }

    /** Which of the users are signed in anywhere in the cluster; empty when the cluster cannot be asked. */
    public java.util.Optional<java.util.Set<String>> signedInAnywhere(App app, java.util.Collection<String> userIds) {
        return cluster.present(app.id(), ClusterState.SIGNED_IN, userIds);
    }

    /** This node's part of the cluster state, for re-reporting after an outage. */
    public ClusterState.LocalPart localPart(Map<String, Integer> connectionsByApp) {
        Map<String, Map<String, Integer>> subscriptions = new java.util.HashMap<>();
        Map<String, Map<String, Map<String, String>>> members = new java.util.HashMap<>();
        Map<String, Map<String, ClusterState.Cached>> caches = new java.util.HashMap<>();
        long now = System.nanoTime();
        registries.forEach((appId, registry) -> {
            registry.cachedEvents(now).forEach((channel, event) -> caches.computeIfAbsent(appId, id -> new java.util.HashMap<>())
                    .put(channel, new ClusterState.Cached(event.frame(), (event.expiresAtNanos() - now) / 1_000_000)));
            for (Channel channel : registry.channels()) {
                if (channel.kind() == ChannelKind.SERVER_TO_USER || channel.isEmpty()) {
                    continue;
                }
                subscriptions.computeIfAbsent(appId, id -> new java.util.HashMap<>())
                        .put(channel.name(), channel.subscriptionCount());
                if (channel.kind().presence()) {
                    Map<String, String> roster = new java.util.HashMap<>();
                    for (Member member : channel.members()) {
                        roster.put(member.userKey(), memberJson(member));
                    }
                    members.computeIfAbsent(appId, id -> new java.util.HashMap<>()).put(channel.name(), roster);
                }
            }
        });
        return new ClusterState.LocalPart(subscriptions, connectionsByApp, members, caches);
    }

    public void connectionOpened(App app) {
        cluster.connections(app.id(), 1);
    }

    public void connectionClosed(App app) {
        cluster.connections(app.id(), -1);
    }

    /** Channel → subscriptions, cluster-wide when the cluster answers, else this node's. */
    public Map<String, Long> subscriptionCounts(App app) {
        return cluster.subscriptionCounts(app.id()).orElseGet(() -> {
            Map<String, Long> local = new java.util.HashMap<>();
            for (Channel channel : channels(app).channels()) {
                if (channel.kind() != ChannelKind.SERVER_TO_USER && !channel.isEmpty()) {
                    local.put(channel.name(), (long) channel.subscriptionCount());
                }
            }
            return local;
        });
    }

    /** Distinct users of a presence channel, in the cluster (or on this node when it cannot be asked). */
    public List<String> users(App app, String channel) {
        return cluster.roster(app.id(), channel).map(roster -> (List<String>) new ArrayList<>(roster.keySet()))
                .orElseGet(() -> {
                    Channel found = channels(app).find(channel);
                    List<String> users = new ArrayList<>();
                    if (found != null) {
                        found.members().forEach(member -> users.add(member.userKey()));
                    }
                    return users;
                });
    }

    /** The cluster's live node ids, or just this one. */
    public java.util.Set<String> nodes() {
        return cluster.nodes().orElse(java.util.Set.of(relay.nodeId()));
    }

    public long connectionCount(App app, int local) {
        return cluster.connectionCount(app.id()).orElse((long) local);
    }

    static String memberJson(Member member) {
        return "{\"id\":" + member.userIdJson() + ",\"info\":" + (member.userInfoJson() == null ? "null" : member.userInfoJson()) + "}";
    }

    private static JsonNode parse(String memberJson) {
        try {
            return Json.MAPPER.readTree(memberJson);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("bad member JSON in the cluster state: " + memberJson, e);
        }
    }

    private static String userIdJson(String memberJson) {
        return parse(memberJson).get("id").toString();
    }

    /** The presence payload of subscription_succeeded from the cluster's roster. */
    static String presenceData(Map<String, String> roster) {
        PresenceRoster payload = new PresenceRoster();
        for (Map.Entry<String, String> entry : roster.entrySet()) {
            JsonNode member = parse(entry.getValue());
            payload.add(entry.getKey(), member.get("id").toString(), member.hasNonNull("info") ? member.get("info").toString() : null);
        }
        return payload.data();
    }

    /** The channels of an app; created on first use. */
    public ChannelRegistry channels(App app) {
        return registries.computeIfAbsent(app.id(), id -> new ChannelRegistry());
    }

    /**
     * Publishes a server event: {@code data} is the publisher's string, carried verbatim.
     *
     * @param exceptSocketId the connection that must not receive it (the publisher's own), or null
     */
    public void publish(App app, String channel, String event, String data, String exceptSocketId) {
        publishFrame(app, channel, Frames.event(event, channel, data), exceptSocketId);
    }

    /**
     * Publishes an encoded event frame (server or client event) to a channel by name: kept as the
     * channel's last event when it is a cache channel, then delivered to the local subscribers.
     * Internal frames (member_added, ...) go through {@link #deliver} instead and are never cached.
     */
    public void publishFrame(App app, String channel, String frame, String exceptSocketId) {
        // Local sockets first: they never wait for Redis, and still get events while it is down.
        boolean kept = receiveAndCache(app, channel, frame, exceptSocketId);
        if (kept && ChannelKind.of(channel).cached()) {
            cluster.cache(app.id(), channel, frame, app.cacheTtl().toMillis());
        }
        relay.publish(Envelope.event(relay.nodeId(), app.id(), channel, frame, exceptSocketId));
    }

    /**
     * An event frame delivered like {@link #publishFrame} but never cached, here or on any node: a client
     * event from a connection that is not subscribed to the channel ({@code accept_client_events_from:
     * all}) must not become what every later subscriber is handed. Relayed as an internal envelope,
     * which the other nodes deliver without caching.
     */
    public void publishUncached(App app, String channel, String frame, String exceptSocketId) {
        Channel target = channels(app).find(channel);
        if (target != null) {
            deliver(app, target, frame, exceptSocketId);
        }
        relay.publish(Envelope.internal(relay.nodeId(), app.id(), channel, frame, exceptSocketId));
    }

    /**
     * An event frame for this node's sockets only: what {@link #publishFrame} does locally, and what a
     * relayed event from another node does here. The excluded socket may live on any node.
     */
    public void receive(App app, String channel, String frame, String exceptSocketId) {
        receiveAndCache(app, channel, frame, exceptSocketId);
    }

    /** @return false when a cache channel's event was not kept (the app's cache is at its bound) */
    private boolean receiveAndCache(App app, String channel, String frame, String exceptSocketId) {
        ChannelRegistry registry = channels(app);
        boolean kept = true;
        if (ChannelKind.of(channel).cached()) {
            kept = registry.cache(channel, frame, app.cacheTtl().toNanos(), System.nanoTime(),
                    app.limits().maxCacheEntries(), app.limits().maxCachedBytes());
            if (!kept) {
                metrics.cacheRefused(app.id());
            }
        }
        Channel target = registry.find(channel);
        if (target != null) {
            deliver(app, target, frame, exceptSocketId);
        }
        return kept;
    }

    /** Drops expired cache entries of every app. */
    public void expireCaches(long nowNanos) {
        registries.values().forEach(registry -> registry.expireCache(nowNanos));
    }

    /** Delivers a frame, encoded here once for all, to every subscriber of the channel except one. */
    private void deliver(App app, Channel channel, String frame, String exceptSocketId) {
        String appId = app.id();
        fanOut.publish(channel, EncodedFrame.of(frame), exceptSocketId, app.maxPendingFrames(), count -> metrics.messagesSent(appId, count));
    }

    /** Stops the fan-out threads (container shutdown). */
    public void close() {
        counts.close();
        fanOut.close();
    }
}
