package dev.chorus.protocol;

import java.util.Collection;

/**
 * Outbound frame builders. Each returns the complete text frame; callers build a frame once and
 * share the same String with every recipient. Where Pusher's {@code data} is a JSON-encoded string,
 * it is built here, so no caller hand-writes wire JSON.
 */
public final class Frames {
    public static final String PONG = "{\"event\":\"pusher:pong\",\"data\":\"{}\"}";
    public static final String PING = "{\"event\":\"pusher:ping\",\"data\":\"{}\"}";

    private Frames() {
    }

    public static String connectionEstablished(String socketId, int activityTimeoutSeconds) {
        String data = "{\"socket_id\":" + Json.quote(socketId) + ",\"activity_timeout\":" + activityTimeoutSeconds + "}";
        return eventWithStringData(Events.CONNECTION_ESTABLISHED, data, null);
    }

    public static String error(int code, String message) {
        String data = "{\"code\":" + code + ",\"message\":" + Json.quote(message) + "}";
        return eventWithStringData(Events.ERROR, data, null);
    }

    /** {@code data} is the JSON text to carry as a string, e.g. {@code {}} or the presence roster. */
    public static String subscriptionSucceeded(String channel, String data) {
        return eventWithStringData(Events.SUBSCRIPTION_SUCCEEDED, data, channel);
    }

    /** Data is an object here (not a string), which is what pusher-js hands to channel error handlers. */
    public static String subscriptionError(String channel, String type, String error, int status) {
        StringBuilder out = new StringBuilder(128);
        out.append("{\"event\":\"").append(Events.SUBSCRIPTION_ERROR).append("\",\"channel\":");
        Json.quoteInto(out, channel);
        out.append(",\"data\":{\"type\":");
        Json.quoteInto(out, type);
        out.append(",\"error\":");
        Json.quoteInto(out, error);
        out.append(",\"status\":").append(status).append("}}");
        return out.toString();
    }

    /** Pusher's event name limit, for client events as for the HTTP API. */
    public static final int MAX_EVENT_NAME_LENGTH = 200;

    /** {@code max_channels_per_connection} reached: only this subscribe fails, the socket stays open. */
    public static String tooManyChannelsOnConnection(String channel, int limit) {
        return subscriptionError(channel, "LimitReached",
                "Too many channels on this connection; the limit is " + limit + " (max_channels_per_connection)", 403);
    }

    /** {@code max_channels} reached: the app may not have another channel on this node. */
    public static String tooManyChannels(String channel, int limit) {
        return subscriptionError(channel, "LimitReached",
                "Too many channels on this app; the limit is " + limit + " (max_channels)", 403);
    }

    /** Pusher's bound on a presence {@code user_id}, in characters. */
    public static final int MAX_PRESENCE_USER_ID_LENGTH = 128;

    /** A presence {@code user_id} over {@link #MAX_PRESENCE_USER_ID_LENGTH}: only this subscribe fails. */
    public static String presenceUserIdTooLong(String channel) {
        return subscriptionError(channel, "LimitReached",
                "presence user_id is over " + MAX_PRESENCE_USER_ID_LENGTH + " characters", 400);
    }

    /** A presence {@code user_info} over {@code max_presence_user_info_size}: only this subscribe fails. */
    public static String presenceUserInfoTooLarge(String channel, int limit) {
        return subscriptionError(channel, "LimitReached",
                "presence user_info is over " + limit + " bytes (max_presence_user_info_size)", 400);
    }

    /** {@code max_presence_members} reached on a presence channel. */
    public static String presenceFull(String channel) {
        return subscriptionError(channel, "LimitReached", "Presence channel member limit reached", 403);
    }

    /** A server event: {@code data} is the publisher's string, carried verbatim. */
    public static String event(String event, String channel, String data) {
        return eventWithStringData(event, data, channel);
    }

    /**
     * A client event, rebuilt from its parts so a client can never inject fields; {@code dataJson} is
     * the sender's {@code data} re-encoded, {@code userIdJson} the presence user id as JSON or null.
     */
    public static String clientEvent(String event, String channel, String dataJson, String userIdJson) {
        StringBuilder out = new StringBuilder(64 + dataJson.length());
        out.append("{\"event\":");
        Json.quoteInto(out, event);
        out.append(",\"channel\":");
        Json.quoteInto(out, channel);
        out.append(",\"data\":").append(dataJson);
        if (userIdJson != null) {
            out.append(",\"user_id\":").append(userIdJson);
        }
        return out.append('}').toString();
    }

    public static String memberAdded(String channel, String userIdJson, String userInfoJson) {
        String data = userInfoJson == null
                ? "{\"user_id\":" + userIdJson + "}"
                : "{\"user_id\":" + userIdJson + ",\"user_info\":" + userInfoJson + "}";
        return eventWithStringData(Events.MEMBER_ADDED, data, channel);
    }

    public static String memberRemoved(String channel, String userIdJson) {
        return eventWithStringData(Events.MEMBER_REMOVED, "{\"user_id\":" + userIdJson + "}", channel);
    }

    /**
     * Pusher's subscription counting: channel before data, the order Pusher sends it in. Built once per
     * channel and flush, shared by every subscriber.
     */
    public static String subscriptionCount(String channel, long count) {
        StringBuilder out = new StringBuilder(96 + channel.length());
        out.append("{\"event\":\"").append(Events.SUBSCRIPTION_COUNT).append("\",\"channel\":");
        Json.quoteInto(out, channel);
        out.append(",\"data\":");
        Json.quoteInto(out, "{\"subscription_count\":" + count + "}");
        return out.append('}').toString();
    }

    public static String cacheMiss(String channel) {
        return "{\"event\":\"" + Events.CACHE_MISS + "\",\"channel\":" + Json.quote(channel) + "}";
    }

    /** Pusher's limit on the user ids one sign-in may watch. */
    public static final int MAX_WATCHLIST = 100;

    /**
     * {@code pusher_internal:watchlist_events}: one {@code online} event naming {@code online}, one
     * {@code offline} event naming {@code offline}, each left out when its list is empty. pusher-js emits
     * every entry of {@code events} on {@code user.watchlist} under its {@code name}.
     */
    public static String watchlistEvents(Collection<String> online, Collection<String> offline) {
        StringBuilder data = new StringBuilder(64 + 16 * (online.size() + offline.size())).append("{\"events\":[");
        boolean both = !online.isEmpty() && !offline.isEmpty();
        if (!online.isEmpty()) {
            watchlistEvent(data, Events.WATCHLIST_ONLINE, online);
        }
        if (both) {
            data.append(',');
        }
        if (!offline.isEmpty()) {
            watchlistEvent(data, Events.WATCHLIST_OFFLINE, offline);
        }
        return eventWithStringData(Events.WATCHLIST_EVENTS, data.append("]}").toString(), null);
    }

    private static void watchlistEvent(StringBuilder out, String name, Collection<String> userIds) {
        out.append("{\"name\":");
        Json.quoteInto(out, name);
        out.append(",\"user_ids\":[");
        boolean first = true;
        for (String userId : userIds) {
            if (!first) {
                out.append(',');
            }
            first = false;
            Json.quoteInto(out, userId);
        }
        out.append("]}");
    }

    public static String signinSuccess(String userData) {
        return eventWithStringData(Events.SIGNIN_SUCCESS, "{\"user_data\":" + Json.quote(userData) + "}", null);
    }

    private static String eventWithStringData(String event, String data, String channel) {
        StringBuilder out = new StringBuilder(48 + data.length() + (channel == null ? 0 : channel.length()));
        out.append("{\"event\":");
        Json.quoteInto(out, event);
        out.append(",\"data\":");
        Json.quoteInto(out, data);
        if (channel != null) {
            out.append(",\"channel\":");
            Json.quoteInto(out, channel);
        }
        return out.append('}').toString();
    }
}
