package dev.chorus.broadcast;

import dev.chorus.app.App;
import dev.chorus.channel.Channel;
import dev.chorus.channel.ChannelRegistry;
import dev.chorus.channel.Subscriber;
import dev.chorus.protocol.ChannelKind;
import dev.chorus.protocol.Frames;
import dev.chorus.relay.Envelope;
import dev.chorus.relay.Relay;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The single fan-out entry point: server events, client events and presence notices all end here.
 * Each message is encoded once and the same String is handed to every recipient. Thread-safe; a
 * call returns once every local recipient has the frame queued, never waiting for a socket.
 */
public final class Broadcaster {
    private final Map<String, ChannelRegistry> registries = new ConcurrentHashMap<>();
    private final Relay relay;

    /** @param relay where every published event also goes, for the other nodes */
    public Broadcaster(Relay relay) {
        this.relay = relay;
    }

    /** The channels of an app; created on first use. */
    public ChannelRegistry channels(App app) {
        return registries.computeIfAbsent(app.id(), id -> new ChannelRegistry());
    }

    /**
     * Publishes a server event: {@code data} is the publisher's string, carried verbatim.
     *
     * @param exceptSocketId the connection that must not receive it (the publisher's own), or null
     * @return the number of local recipients
     */
    public int publish(App app, String channel, String event, String data, String exceptSocketId) {
        return publishFrame(app, channel, Frames.event(event, channel, data), exceptSocketId);
    }

    /**
     * Publishes an encoded event frame (server or client event) to a channel by name: kept as the
     * channel's last event when it is a cache channel, then delivered to the local subscribers.
     * Internal frames (member_added, ...) go through {@link #deliver} instead and are never cached.
     */
    public int publishFrame(App app, String channel, String frame, String exceptSocketId) {
        // Local sockets first: they never wait for Redis, and still get events while it is down.
        int delivered = receive(app, channel, frame, exceptSocketId);
        relay.publish(Envelope.event(relay.nodeId(), app.id(), channel, frame, exceptSocketId));
        return delivered;
    }

    /**
     * An event frame for this node's sockets only: what {@link #publishFrame} does locally, and what a
     * relayed event from another node does here. The excluded socket may live on any node.
     */
    public int receive(App app, String channel, String frame, String exceptSocketId) {
        ChannelRegistry registry = channels(app);
        if (ChannelKind.of(channel).cached()) {
            registry.cache(channel, frame, app.cacheTtl().toNanos(), System.nanoTime());
        }
        Channel target = registry.find(channel);
        if (target == null) {
            return 0;
        }
        return deliver(target, frame, exceptSocketId);
    }

    /** Drops expired cache entries of every app. */
    public void expireCaches(long nowNanos) {
        registries.values().forEach(registry -> registry.expireCache(nowNanos));
    }

    /** Delivers an already encoded frame to every subscriber of the channel except one. */
    public int deliver(Channel channel, String frame, String exceptSocketId) {
        int delivered = 0;
        for (Subscriber subscriber : channel.subscribers()) {
            if (exceptSocketId == null || !exceptSocketId.equals(subscriber.socketId())) {
                subscriber.send(frame);
                delivered++;
            }
        }
        return delivered;
    }
}
