package dev.chorus.broadcast;

import dev.chorus.app.App;
import dev.chorus.channel.Channel;
import dev.chorus.channel.ChannelRegistry;
import dev.chorus.channel.Subscriber;
import dev.chorus.protocol.Frames;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The single fan-out entry point: server events, client events and presence notices all end here.
 * Each message is encoded once and the same String is handed to every recipient. Thread-safe; a
 * call returns once every local recipient has the frame queued, never waiting for a socket.
 */
public final class Broadcaster {
    private final Map<String, ChannelRegistry> registries = new ConcurrentHashMap<>();

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
        Channel target = channels(app).find(channel);
        if (target == null) {
            return 0;
        }
        return deliver(target, Frames.event(event, channel, data), exceptSocketId);
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
