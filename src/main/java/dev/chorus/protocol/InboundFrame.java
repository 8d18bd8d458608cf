package dev.chorus.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One decoded client frame. {@code data} is the frame's {@code data} as a tree: for {@code pusher:*}
 * events a JSON-encoded string is decoded in place (clients send both forms); client events keep
 * their data exactly as sent.
 */
public record InboundFrame(String event, String channel, JsonNode data) {

    /** Thrown for anything that is not a well-formed Pusher frame; answered with 4200. */
    public static final class MalformedFrameException extends Exception {
        public MalformedFrameException(String message) {
            super(message, null, false, false);
        }
    }

    public static InboundFrame parse(String text) throws MalformedFrameException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new MalformedFrameException("not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new MalformedFrameException("not an object");
        }
        JsonNode event = root.get("event");
        if (event == null || !event.isTextual()) {
            throw new MalformedFrameException("event missing");
        }
        JsonNode channel = root.get("channel");
        if (channel != null && !channel.isNull() && !channel.isTextual()) {
            throw new MalformedFrameException("channel is not a string");
        }
        JsonNode data = root.get("data");
        String name = event.textValue();
        if (data != null && data.isTextual() && name.startsWith(Events.PUSHER_PREFIX)) {
            String raw = data.textValue();
            if (raw.isEmpty()) {
                data = null;
            } else {
                try {
                    data = Json.MAPPER.readTree(raw);
                } catch (JsonProcessingException e) {
                    throw new MalformedFrameException("data is not JSON");
                }
            }
        }
        return new InboundFrame(name, channel == null || channel.isNull() ? null : channel.textValue(), data);
    }

    /** A string field of an object {@code data}; null when absent; malformed when present but not a string. */
    public String dataString(String field) throws MalformedFrameException {
        if (data == null || !data.isObject()) {
            return null;
        }
        JsonNode node = data.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new MalformedFrameException(field + " is not a string");
        }
        return node.textValue();
    }
}
