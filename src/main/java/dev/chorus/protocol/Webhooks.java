package dev.chorus.protocol;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;

/**
 * Pusher's webhook format: event names, one builder per event, and the signed body
 * {@code {"time_ms":...,"events":[...]}} (signature: hex HMAC-SHA256 of the body with the app secret,
 * in {@code X-Pusher-Signature}; the app key in {@code X-Pusher-Key}).
 */
public final class Webhooks {
    public static final String CHANNEL_OCCUPIED = "channel_occupied";
    public static final String CHANNEL_VACATED = "channel_vacated";
    public static final String MEMBER_ADDED = "member_added";
    public static final String MEMBER_REMOVED = "member_removed";
    public static final String CLIENT_EVENT = "client_event";
    public static final String CACHE_MISS = "cache_miss";
    public static final String SUBSCRIPTION_COUNT = "subscription_count";
    public static final Set<String> ALL = Set.of(CHANNEL_OCCUPIED, CHANNEL_VACATED, MEMBER_ADDED, MEMBER_REMOVED,
            CLIENT_EVENT, CACHE_MISS, SUBSCRIPTION_COUNT);
    public static final String KEY_HEADER = "X-Pusher-Key";
    public static final String SIGNATURE_HEADER = "X-Pusher-Signature";

    private Webhooks() {
    }

    public static ObjectNode channelEvent(String name, String channel) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.put("name", name);
        event.put("channel", channel);
        return event;
    }

    public static ObjectNode member(String name, String channel, String userKey) {
        ObjectNode event = channelEvent(name, channel);
        event.put("user_id", userKey);
        return event;
    }

    /** {@code data} is the client's data re-encoded as a JSON string, as Pusher sends it. */
    public static ObjectNode clientEvent(String channel, String event, String dataJson, String socketId, String userKey) {
        ObjectNode node = channelEvent(CLIENT_EVENT, channel);
        node.put("event", event);
        node.put("data", dataJson);
        node.put("socket_id", socketId);
        if (userKey != null) {
            node.put("user_id", userKey);
        }
        return node;
    }

    public static ObjectNode subscriptionCount(String channel, long count) {
        ObjectNode event = channelEvent(SUBSCRIPTION_COUNT, channel);
        event.put("subscription_count", count);
        return event;
    }

    /** The event's {@code name}, e.g. {@link #CHANNEL_OCCUPIED}. */
    public static String name(ObjectNode event) {
        return event.path("name").asText();
    }

    public static String channel(ObjectNode event) {
        return event.path("channel").asText();
    }

    /** The {@code user_id} of a member or client event, or null. */
    public static String userId(ObjectNode event) {
        return event.hasNonNull("user_id") ? event.get("user_id").asText() : null;
    }

    /** The count a {@link #SUBSCRIPTION_COUNT} event carries. */
    public static long countOf(ObjectNode event) {
        return event.path("subscription_count").asLong();
    }

    public static String body(long timeMillis, List<ObjectNode> events) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("time_ms", timeMillis);
        ArrayNode array = body.putArray("events");
        events.forEach(array::add);
        return body.toString();
    }
}
