package dev.chorus.channel;

import dev.chorus.protocol.ChannelKind;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The channels of one app on this node. Thread-safe: subscribe and unsubscribe of one channel name
 * are atomic with respect to each other (they run inside the map's per-key section), so a channel
 * exists exactly while it has a subscriber and presence counts never drift. Lookups for fan-out are
 * lock-free.
 */
public final class ChannelRegistry {
    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
    /**
     * Cache channels' last events, kept apart from the channels themselves: an event is cached even
     * when nobody is subscribed, and survives the channel emptying, until it expires.
     */
    private final ConcurrentHashMap<String, CachedEvent> cache = new ConcurrentHashMap<>();

    /** The last event of a cache channel, as the complete frame subscribers get. */
    public record CachedEvent(String frame, long expiresAtNanos) {
    }

    /** What a subscribe did, for the caller to tell the subscriber and the other members. */
    public record Subscribed(Channel channel, boolean alreadySubscribed, boolean firstForUser, boolean rosterFull,
                             String presenceData, int subscriptions) {
    }

    /**
     * What an unsubscribe did.
     * @param subscriptions the channel's subscriptions right after, read inside the atomic section (so two
     *                      concurrent leaves cannot both see zero)
     */
    public record Unsubscribed(Channel channel, boolean lastForUser, int subscriptions) {
    }

    public Channel find(String name) {
        return channels.get(name);
    }

    public Collection<Channel> channels() {
        return channels.values();
    }

    public int size() {
        return channels.size();
    }

    /**
     * Adds the subscriber, and for presence channels its member, creating the channel if needed.
     * A presence channel at {@code maxMembers} distinct users refuses a new user (nothing is left
     * behind); more connections of a user already present are always accepted.
     */
    public Subscribed subscribe(String name, Subscriber subscriber, Member member, int maxMembers) {
        Subscribed[] result = new Subscribed[1];
        channels.compute(name, (key, channel) -> {
            Channel target = channel == null ? new Channel(key, ChannelKind.of(key)) : channel;
            if (target.contains(subscriber)) {
                result[0] = new Subscribed(target, true, false, false,
                        target.kind().presence() ? target.presenceData() : null, target.subscriptionCount());
                return target;
            }
            boolean first = false;
            if (target.kind().presence()) {
                if (!target.hasUser(member.userKey()) && target.userCount() >= maxMembers) {
                    result[0] = new Subscribed(target, false, false, true, null, target.subscriptionCount());
                    return channel;
                }
                first = target.addMember(member);
            }
            target.add(subscriber);
            result[0] = new Subscribed(target, false, first, false,
                    target.kind().presence() ? target.presenceData() : null, target.subscriptionCount());
            return target;
        });
        return result[0];
    }

    /** Keeps {@code frame} as the channel's last event for {@code ttlNanos}. */
    public void cache(String channel, String frame, long ttlNanos, long nowNanos) {
        cache.put(channel, new CachedEvent(frame, nowNanos + ttlNanos));
    }

    /** The channel's cached frame, or null when there is none or it expired. */
    public String cached(String channel, long nowNanos) {
        CachedEvent event = cache.get(channel);
        if (event == null) {
            return null;
        }
        if (nowNanos - event.expiresAtNanos() >= 0) {
            cache.remove(channel, event);
            return null;
        }
        return event.frame();
    }

    /** Drops expired cache entries, so channels nobody reads again do not hold memory forever. */
    public void expireCache(long nowNanos) {
        cache.values().removeIf(event -> nowNanos - event.expiresAtNanos() >= 0);
    }

    /** Removes the subscriber (and its member); deletes the channel when it was the last. Null if not subscribed. */
    public Unsubscribed unsubscribe(String name, Subscriber subscriber, Member member) {
        Unsubscribed[] result = new Unsubscribed[1];
        channels.computeIfPresent(name, (key, channel) -> {
            if (!channel.remove(subscriber)) {
                return channel;
            }
            boolean last = member != null && channel.kind().presence() && channel.removeMember(member);
            result[0] = new Unsubscribed(channel, last, channel.subscriptionCount());
            return channel.isEmpty() ? null : channel;
        });
        return result[0];
    }
}
