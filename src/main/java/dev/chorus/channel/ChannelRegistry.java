package dev.chorus.channel;

import dev.chorus.protocol.ChannelKind;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

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
    /** Characters of every cached frame together (bytes, for the ASCII JSON they almost always are). */
    private final AtomicLong cachedBytes = new AtomicLong();
    /**
     * Numbers this node's roster changes, over all its presence channels (a channel emptied and made again
     * goes on from where the old one was): what orders member frames against rosters on a node alone.
     */
    private final AtomicLong rosterVersions = new AtomicLong();

    /** The last event of a cache channel, as the complete frame subscribers get. */
    public record CachedEvent(String frame, long expiresAtNanos) {
    }

    /**
     * What a subscribe did, for the caller to tell the subscriber and the other members.
     * @param channel       the channel joined; null when {@code channelsFull}
     * @param channelsFull  the app is at its channel limit and this subscribe would have created one more
     * @param rosterVersion this node's version of the roster in {@code presenceData}, which is also the
     *                      version of this subscribe's change when it was the user's first (see {@link #subscribe})
     */
    public record Subscribed(Channel channel, boolean alreadySubscribed, boolean firstForUser, boolean rosterFull,
                             String presenceData, int subscriptions, boolean channelsFull, long rosterVersion) {
        public Subscribed(Channel channel, boolean alreadySubscribed, boolean firstForUser, boolean rosterFull,
                          String presenceData, int subscriptions) {
            this(channel, alreadySubscribed, firstForUser, rosterFull, presenceData, subscriptions, false, 0);
        }
    }

    /**
     * What an unsubscribe did.
     * @param subscriptions the channel's subscriptions right after, read inside the atomic section (so two
     *                      concurrent leaves cannot both see zero)
     * @param rosterVersion when {@code lastForUser}, this node's roster version after the user left
     */
    public record Unsubscribed(Channel channel, boolean lastForUser, int subscriptions, long rosterVersion) {
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
        return subscribe(name, subscriber, member, maxMembers, Integer.MAX_VALUE);
    }

    /**
     * As {@link #subscribe(String, Subscriber, Member, int)}, refusing to create a channel beyond
     * {@code maxChannels} ({@code max_channels}). A sign-in's {@code #server-to-user-} channel is never
     * refused: there is at most one per connection, and connections have their own caps. The count is
     * read without a lock, so concurrent creations may overshoot by at most the number of racing threads.
     */
    public Subscribed subscribe(String name, Subscriber subscriber, Member member, int maxMembers, int maxChannels) {
        Subscribed[] result = new Subscribed[1];
        channels.compute(name, (key, channel) -> {
            if (channel == null && channels.size() >= maxChannels && ChannelKind.of(key) != ChannelKind.SERVER_TO_USER) {
                result[0] = new Subscribed(null, false, false, false, null, 0, true, 0);
                return null;
            }
            Channel target = channel == null ? new Channel(key, ChannelKind.of(key)) : channel;
            if (target.contains(subscriber)) {
                result[0] = new Subscribed(target, true, false, false,
                        target.kind().presence() ? target.presenceData() : null, target.subscriptionCount(), false,
                        target.rosterVersion());
                return target;
            }
            boolean first = false;
            if (target.kind().presence()) {
                if (!target.hasUser(member.userKey()) && target.userCount() >= maxMembers) {
                    result[0] = new Subscribed(target, false, false, true, null, target.subscriptionCount());
                    return channel;
                }
                first = target.addMember(member, rosterVersions);
            }
            target.add(subscriber);
            result[0] = new Subscribed(target, false, first, false,
                    target.kind().presence() ? target.presenceData() : null, target.subscriptionCount(), false,
                    target.rosterVersion());
            return target;
        });
        return result[0];
    }

    /** Keeps {@code frame} as the channel's last event for {@code ttlNanos}, without a bound. */
    public void cache(String channel, String frame, long ttlNanos, long nowNanos) {
        cache(channel, frame, ttlNanos, nowNanos, Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * Keeps {@code frame} as the channel's last event for {@code ttlNanos}, within the app's bounds
     * ({@code max_cache_entries}, {@code max_cached_bytes}). At a bound, expired entries go first; if
     * that is not enough, the new event is not kept (entries already cached are never evicted for it,
     * so a flood of new cache channels cannot push out the events other clients rely on), and the
     * channel's previous event goes too: it is no longer the last one.
     * @return false when the event was not kept
     */
    public boolean cache(String channel, String frame, long ttlNanos, long nowNanos, int maxEntries, long maxBytes) {
        long size = frame.length();
        if (size > maxBytes) {
            uncache(channel);
            return false;
        }
        if (cache.size() >= maxEntries || cachedBytes.get() + size > maxBytes) {
            expireCache(nowNanos);
        }
        boolean[] kept = {true};
        cache.compute(channel, (key, old) -> {
            long freed = old == null ? 0 : old.frame().length();
            if ((old == null && cache.size() >= maxEntries) || cachedBytes.get() - freed + size > maxBytes) {
                kept[0] = false;
                cachedBytes.addAndGet(-freed);
                return null;
            }
            cachedBytes.addAndGet(size - freed);
            return new CachedEvent(frame, nowNanos + ttlNanos);
        });
        return kept[0];
    }

    private void uncache(String channel) {
        CachedEvent old = cache.get(channel);
        if (old != null && cache.remove(channel, old)) {
            cachedBytes.addAndGet(-old.frame().length());
        }
    }

    /** The channel's cached frame, or null when there is none or it expired. */
    public String cached(String channel, long nowNanos) {
        CachedEvent event = cache.get(channel);
        if (event == null) {
            return null;
        }
        if (nowNanos - event.expiresAtNanos() >= 0) {
            if (cache.remove(channel, event)) {
                cachedBytes.addAndGet(-event.frame().length());
            }
            return null;
        }
        return event.frame();
    }

    /** Cache channel → its kept event, expired ones left out: what this node re-reports to the cluster. */
    public Map<String, CachedEvent> cachedEvents(long nowNanos) {
        Map<String, CachedEvent> live = new HashMap<>();
        cache.forEach((channel, event) -> {
            if (nowNanos - event.expiresAtNanos() < 0) {
                live.put(channel, event);
            }
        });
        return live;
    }

    /** Drops expired cache entries, so channels nobody reads again do not hold memory forever. */
    public void expireCache(long nowNanos) {
        for (Map.Entry<String, CachedEvent> entry : cache.entrySet()) {
            CachedEvent event = entry.getValue();
            if (nowNanos - event.expiresAtNanos() >= 0 && cache.remove(entry.getKey(), event)) {
                cachedBytes.addAndGet(-event.frame().length());
            }
        }
    }

    /** Cache channels with a kept event (expired ones included until they are dropped). */
    public int cacheEntries() {
        return cache.size();
    }

    /** Characters of the kept events together. */
    public long cachedBytes() {
        return cachedBytes.get();
    }

    /** Removes the subscriber (and its member); deletes the channel when it was the last. Null if not subscribed. */
    public Unsubscribed unsubscribe(String name, Subscriber subscriber, Member member) {
        Unsubscribed[] result = new Unsubscribed[1];
        channels.computeIfPresent(name, (key, channel) -> {
            if (!channel.remove(subscriber)) {
                return channel;
            }
            boolean last = member != null && channel.kind().presence() && channel.removeMember(member, rosterVersions);
            result[0] = new Unsubscribed(channel, last, channel.subscriptionCount(), channel.rosterVersion());
            return channel.isEmpty() ? null : channel;
        });
        return result[0];
    }
}
