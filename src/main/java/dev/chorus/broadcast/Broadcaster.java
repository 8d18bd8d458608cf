package dev.chorus.broadcast;

import dev.chorus.app.App;
import dev.chorus.channel.Channel;
import dev.chorus.channel.ChannelRegistry;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.ChannelKind;
import dev.chorus.protocol.EncodedFrame;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.RosterChange;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.Envelope;
import dev.chorus.relay.Relay;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The single fan-out entry point: server events, client events and presence notices all end here.
 * Each message is encoded once and the same bytes are handed to every recipient. Thread-safe; never
 * waits for a socket. Small channels have the frame queued on every local socket when a call returns;
 * large ones get it from {@link FanOut}'s threads moments later (see there for the order promised).
 * <p>Only delivery lives here, so the hot path reads as one thing: who joins and leaves (and what the
 * cluster is told of it) is {@link Membership}'s, what can be read of the channels {@link Occupancy}'s.
 */
public final class Broadcaster {
    private final Map<String, ChannelRegistry> registries = new ConcurrentHashMap<>();
    private final Relay relay;
    private final ClusterState cluster;
    private final Metrics metrics;
    private final FanOut fanOut = new FanOut();

    /**
     * Built by {@link Broadcasting}, with the roles that share its registries.
     * @param relay   where every published event also goes, for the other nodes
     * @param cluster where a cache channel's last event is kept for nodes that start later
     */
    Broadcaster(Relay relay, ClusterState cluster, Metrics metrics) {
        this.relay = relay;
        this.cluster = cluster;
        this.metrics = metrics;
    }

    /**
     * A presence member frame ({@code member_added}, {@code member_removed}) for every node's subscribers;
     * never cached. Each subscriber gets it only when it is news to it (see {@link RosterChange}).
     * @param channel the channel by name: a reaped member's channel may have no subscriber on this node
     */
    public void publishMember(App app, String channel, String frame, String exceptSocketId, RosterChange change) {
        Channel target = channels(app).find(channel);
        if (target != null) {
            deliver(app, target, frame, exceptSocketId, change);
        }
        relay.publish(Envelope.member(relay.nodeId(), app.id(), channel, frame, exceptSocketId, change.userKey(),
                change.version()));
    }

    /**
     * A relayed internal frame from another node: a presence member frame when {@code change} is given,
     * else a client event that must not be cached.
     */
    public void receiveInternal(App app, String channel, String frame, String exceptSocketId, RosterChange change) {
        Channel target = channels(app).find(channel);
        if (target != null) {
            deliver(app, target, frame, exceptSocketId, change);
        }
    }

    /** The channels of an app; created on first use. */
    public ChannelRegistry channels(App app) {
        return registries.computeIfAbsent(app.id(), id -> new ChannelRegistry());
    }

    /** App id → its channels, read-only: this node's part, for {@link Occupancy#localPart}. */
    Map<String, ChannelRegistry> registries() {
        return Collections.unmodifiableMap(registries);
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
    void deliver(App app, Channel channel, String frame, String exceptSocketId) {
        deliver(app, channel, frame, exceptSocketId, null);
    }

    private void deliver(App app, Channel channel, String frame, String exceptSocketId, RosterChange change) {
        String appId = app.id();
        fanOut.publish(channel, EncodedFrame.of(frame, change), exceptSocketId, app.maxPendingFrames(),
                count -> metrics.messagesSent(appId, count));
    }

    /** Stops the fan-out threads (container shutdown). */
    void close() {
        fanOut.close();
    }
}
