package dev.chorus.app;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One Pusher application and every per-app option. Immutable; built by {@link SettingsLoader}, which
 * validates every field, so code holding an {@code App} never re-checks it. Code that makes one by hand
 * (tests, embedders) uses {@link #builder}, which starts from the same defaults as a config file.
 *
 * @param maxConnections    connections allowed at once, {@code -1} for no limit
 * @param maxMessageSize    largest inbound WebSocket message in bytes (close 1009 above it)
 * @param clientEventRate   client events per second per connection, {@code 0} for no limit
 * @param maxPendingFrames  outbound frames queued for one connection before it is closed with 4100
 * @param cacheTtl          how long a cache channel keeps its last event, subscribers or not
 * @param events            HTTP API limits on triggered events
 * @param webhooks          where this app's webhooks go (Pusher format), possibly none
 * @param limits            what one client can grow on this app: channels per connection, inbound rate, channels, cache
 * @param features          Pusher features an app switches on or off
 */
public record App(
        String id,
        String key,
        String secret,
        String name,
        boolean enabled,
        List<String> allowedOrigins,
        boolean allowMissingOrigin,
        int activityTimeoutSeconds,
        Duration pingInterval,
        Duration pongTimeout,
        int maxConnections,
        int maxMessageSize,
        ClientEventPolicy clientEvents,
        int clientEventRate,
        int maxPendingFrames,
        int maxPresenceMembers,
        Duration cacheTtl,
        EventLimits events,
        List<Webhook> webhooks,
        Limits limits,
        Features features) {

    /**
     * One webhook target.
     * @param eventTypes    which events it wants (Pusher's names)
     * @param channelPrefix only channels starting with this, or null for all
     */
    public record Webhook(URI url, Set<String> eventTypes, String channelPrefix) {
        public Webhook {
            eventTypes = Set.copyOf(eventTypes);
        }

        public boolean wants(String event, String channel) {
            return eventTypes.contains(event) && (channelPrefix == null || channel.startsWith(channelPrefix));
        }
    }

    /** Pusher's HTTP API limits, per app. */
    public record EventLimits(int maxChannels, int maxNameLength, int maxDataSize, int maxBatchSize) {
        public static final EventLimits PUSHER = new EventLimits(100, 200, 10_240, 10);
    }

    /**
     * Bounds on what clients can make this app hold. Each is a named setting (YAML {@code apps[].<name>});
     * {@link #DEFAULTS} are Pusher-like.
     *
     * @param maxChannelsPerConnection {@code max_channels_per_connection}: subscriptions one socket may hold
     * @param inboundRate       {@code inbound_rate_limit}: frames per second a socket may send, every kind (0: none)
     * @param inboundBurst      {@code inbound_burst}: frames a socket may send at once before the rate applies;
     *                          above {@code max_channels_per_connection} so a reconnecting client re-subscribes at once
     * @param maxChannels       {@code max_channels}: channels (with at least one subscriber) the app may have on a node
     * @param maxCacheEntries   {@code max_cache_entries}: cache channels whose last event is kept
     * @param maxCachedBytes    {@code max_cached_bytes}: bytes of cached events kept, all cache channels together
     * @param maxPresenceUserInfoSize {@code max_presence_user_info_size}: bytes of a presence member's
     *                          {@code user_info} as JSON (Pusher: 1 KB); every member's is sent to every subscriber
     * @param maxBackendEventsPerSecond {@code max_backend_events_per_second} (soketi's name): events the HTTP API
     *                          publishes per second, each event counted once per channel it goes to as soketi does;
     *                          cluster-wide when scaling; {@link #OFF} for no limit
     * @param maxReadRequestsPerSecond {@code max_read_requests_per_second}: HTTP API reads (channels, channel, users,
     *                          connections) per second, cluster-wide when scaling; {@link #OFF} for no limit
     */
    public record Limits(int maxChannelsPerConnection, int inboundRate, int inboundBurst, int maxChannels,
                         int maxCacheEntries, long maxCachedBytes, int maxPresenceUserInfoSize,
                         int maxBackendEventsPerSecond, int maxReadRequestsPerSecond) {
        public static final int DEFAULT_MAX_PRESENCE_USER_INFO_SIZE = 1_024;
        /** A rate limit that is not applied (soketi's {@code -1}). */
        public static final int OFF = -1;
        public static final Limits DEFAULTS = new Limits(1_000, 100, 1_200, 100_000, 10_000, 64L * 1024 * 1024);

        /** With the default {@code max_presence_user_info_size}. */
        public Limits(int maxChannelsPerConnection, int inboundRate, int inboundBurst, int maxChannels,
                      int maxCacheEntries, long maxCachedBytes) {
            this(maxChannelsPerConnection, inboundRate, inboundBurst, maxChannels, maxCacheEntries, maxCachedBytes,
                    DEFAULT_MAX_PRESENCE_USER_INFO_SIZE);
        }

        /** With the backend rate limits off. */
        public Limits(int maxChannelsPerConnection, int inboundRate, int inboundBurst, int maxChannels,
                      int maxCacheEntries, long maxCachedBytes, int maxPresenceUserInfoSize) {
            this(maxChannelsPerConnection, inboundRate, inboundBurst, maxChannels, maxCacheEntries, maxCachedBytes,
                    maxPresenceUserInfoSize, OFF, OFF);
        }
    }

    /**
     * Pusher's per-app feature switches, kept apart from {@link Limits} (they are not bounds) so the next
     * switch does not grow {@link App}'s positional constructor again. {@link #DEFAULTS} are Pusher's.
     *
     * @param subscriptionCount {@code subscription_count}: subscribers of a non-presence channel are sent
     *                          {@code pusher_internal:subscription_count} when its number of subscriptions changes
     * @param watchlistEvents   {@code watchlist_events}: a sign-in whose {@code user_data} carries a
     *                          {@code watchlist} is told when those users come online and go offline. On by
     *                          default (unlike Pusher): it costs nothing on the event path, and only a
     *                          round trip to the cluster per sign-in and per signed-in close
     */
    public record Features(boolean subscriptionCount, boolean watchlistEvents) {
        public static final Features DEFAULTS = new Features(false, true);
    }

    public App {
        allowedOrigins = List.copyOf(allowedOrigins);
        webhooks = List.copyOf(webhooks);
        features = features == null ? Features.DEFAULTS : features;
    }

    /** An app with {@link Features#DEFAULTS}: what every app was before features were switchable. */
    public App(String id, String key, String secret, String name, boolean enabled, List<String> allowedOrigins,
               boolean allowMissingOrigin, int activityTimeoutSeconds, Duration pingInterval, Duration pongTimeout,
               int maxConnections, int maxMessageSize, ClientEventPolicy clientEvents, int clientEventRate,
               int maxPendingFrames, int maxPresenceMembers, Duration cacheTtl, EventLimits events,
               List<Webhook> webhooks, Limits limits) {
        this(id, key, secret, name, enabled, allowedOrigins, allowMissingOrigin, activityTimeoutSeconds, pingInterval,
                pongTimeout, maxConnections, maxMessageSize, clientEvents, clientEventRate, maxPendingFrames,
                maxPresenceMembers, cacheTtl, events, webhooks, limits, Features.DEFAULTS);
    }

    /** An app with these credentials and every other option at its configuration default. */
    public static Builder builder(String id, String key, String secret) {
        return new Builder(id, key, secret);
    }

    /** A builder holding this app's options, to change a few of them. */
    public Builder toBuilder() {
        return new Builder(id, key, secret).name(name).enabled(enabled).allowedOrigins(allowedOrigins)
                .allowMissingOrigin(allowMissingOrigin).activityTimeoutSeconds(activityTimeoutSeconds)
                .pingInterval(pingInterval).pongTimeout(pongTimeout).maxConnections(maxConnections)
                .maxMessageSize(maxMessageSize).clientEvents(clientEvents).clientEventRate(clientEventRate)
                .maxPendingFrames(maxPendingFrames).maxPresenceMembers(maxPresenceMembers).cacheTtl(cacheTtl)
                .events(events).webhooks(webhooks).limits(limits).features(features);
    }

    /**
     * Names each option instead of placing it. Starts from what {@link SettingsLoader} uses when a
     * config file leaves the option out, so a test states only what it is about. Not validated: the
     * loader validates configuration, code that builds an app by hand owns its values.
     */
    public static final class Builder {
        private final String id;
        private final String key;
        private final String secret;
        private String name;
        private boolean enabled = true;
        private List<String> allowedOrigins = List.of("*");
        private boolean allowMissingOrigin;
        private int activityTimeoutSeconds = 30;
        private Duration pingInterval = Duration.ofSeconds(60);
        private Duration pongTimeout = Duration.ofSeconds(30);
        private int maxConnections = -1;
        private int maxMessageSize = 10_000;
        private ClientEventPolicy clientEvents = ClientEventPolicy.MEMBERS;
        private int clientEventRate = 10;
        private int maxPendingFrames = 1_000;
        private int maxPresenceMembers = 100;
        private Duration cacheTtl = Duration.ofMinutes(30);
        private EventLimits events = EventLimits.PUSHER;
        private List<Webhook> webhooks = List.of();
        private Limits limits = Limits.DEFAULTS;
        private Features features = Features.DEFAULTS;

        private Builder(String id, String key, String secret) {
            this.id = id;
            this.key = key;
            this.secret = secret;
            this.name = id;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        public Builder allowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = allowedOrigins;
            return this;
        }

        public Builder allowMissingOrigin(boolean allowMissingOrigin) {
            this.allowMissingOrigin = allowMissingOrigin;
            return this;
        }

        public Builder activityTimeoutSeconds(int activityTimeoutSeconds) {
            this.activityTimeoutSeconds = activityTimeoutSeconds;
            return this;
        }

        public Builder pingInterval(Duration pingInterval) {
            this.pingInterval = pingInterval;
            return this;
        }

        public Builder pongTimeout(Duration pongTimeout) {
            this.pongTimeout = pongTimeout;
            return this;
        }

        /** {@code -1} for no limit. */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder maxMessageSize(int maxMessageSize) {
            this.maxMessageSize = maxMessageSize;
            return this;
        }

        public Builder clientEvents(ClientEventPolicy clientEvents) {
            this.clientEvents = clientEvents;
            return this;
        }

        /** Per second per connection, {@code 0} for no limit. */
        public Builder clientEventRate(int clientEventRate) {
            this.clientEventRate = clientEventRate;
            return this;
        }

        public Builder maxPendingFrames(int maxPendingFrames) {
            this.maxPendingFrames = maxPendingFrames;
            return this;
        }

        public Builder maxPresenceMembers(int maxPresenceMembers) {
            this.maxPresenceMembers = maxPresenceMembers;
            return this;
        }

        public Builder cacheTtl(Duration cacheTtl) {
            this.cacheTtl = cacheTtl;
            return this;
        }

        public Builder events(EventLimits events) {
            this.events = events;
            return this;
        }

        public Builder webhooks(List<Webhook> webhooks) {
            this.webhooks = webhooks;
            return this;
        }

        public Builder limits(Limits limits) {
            this.limits = limits;
            return this;
        }

        public Builder features(Features features) {
            this.features = features;
            return this;
        }

        public App build() {
            return new App(id, key, secret, name, enabled, allowedOrigins, allowMissingOrigin, activityTimeoutSeconds,
                    pingInterval, pongTimeout, maxConnections, maxMessageSize, clientEvents, clientEventRate,
                    maxPendingFrames, maxPresenceMembers, cacheTtl, events, webhooks, limits, features);
        }
    }

    /** The same app with other feature switches. */
    public App withFeatures(Features features) {
        return new App(id, key, secret, name, enabled, allowedOrigins, allowMissingOrigin, activityTimeoutSeconds,
                pingInterval, pongTimeout, maxConnections, maxMessageSize, clientEvents, clientEventRate, maxPendingFrames,
                maxPresenceMembers, cacheTtl, events, webhooks, limits, features);
    }

    /**
     * Origin check on the host part only, with {@code *} matching any run of characters, as Reverb
     * does. A missing header passes only with {@code *} or {@code allow_missing_origin}, since
     * non-browser clients send none.
     */
    public boolean allowsOrigin(String origin) {
        if (allowedOrigins.contains("*")) {
            return true;
        }
        if (origin == null || origin.isEmpty()) {
            return allowMissingOrigin;
        }
        String host;
        try {
            host = URI.create(origin.trim()).getHost();
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (host == null) {
            return false;
        }
        for (String allowed : allowedOrigins) {
            if (globMatches(allowed, host)) {
                return true;
            }
        }
        return false;
    }

    /** Full-string match; {@code *} matches any run of characters, dots included. */
    static boolean globMatches(String glob, String host) {
        String[] parts = glob.split("\\*", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(parts[i]));
        }
        return Pattern.matches(regex.toString(), host);
    }

    public boolean hasConnectionLimit() {
        return maxConnections >= 0;
    }

    /** The container's idle timeout: only a backstop behind our own ping/pong liveness check. */
    public Duration idleBackstop() {
        return pingInterval.plus(pongTimeout).plusSeconds(15);
    }

    /** Names the app without its secret, which a record would print (and a log line would keep). */
    @Override
    public String toString() {
        return "App[id=" + id + ", key=" + key + ", name=" + name + (enabled ? "" : ", disabled") + "]";
    }
}
