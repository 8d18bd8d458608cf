package dev.chorus.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.app.App;
import dev.chorus.protocol.ChannelKind;
import dev.chorus.protocol.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reading and checking the events of {@code POST /events} and {@code /batch_events}, shared by
 * {@link AppsResource} and {@link TriggerFastPath}: every refusal an {@link ApiException} naming the
 * field and the limit.
 */
final class EventRequests {
    private static final Pattern SOCKET_ID = Pattern.compile("\\d+\\.\\d+");

    /** One validated event of a trigger or a batch. */
    record Event(String name, String data, List<String> channels, String socketId, List<String> info) {
    }

    private EventRequests() {
    }

    static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("The body must be a JSON object");
        }
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            if (root == null || !root.isObject()) {
                throw ApiException.badRequest("The body must be a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("The body is not valid JSON");
        } catch (IOException e) {
            throw ApiException.badRequest("The body could not be read");
        }
    }

    static Event event(App app, JsonNode node, boolean batchItem) {
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("each event must be a JSON object");
        }
        App.EventLimits limits = app.events();
        String name = text(node, "name");
        if (name == null || name.isEmpty()) {
            throw ApiException.badRequest("name is required (a string)");
        }
        if (name.length() > limits.maxNameLength()) {
            throw new ApiException(413, "name is " + name.length() + " characters; the limit is " + limits.maxNameLength());
        }
        String data = text(node, "data");
        if (data == null) {
            throw ApiException.badRequest("data is required (a string; encode objects as JSON text)");
        }
        int size = data.getBytes(StandardCharsets.UTF_8).length;
        if (size > limits.maxDataSize()) {
            throw new ApiException(413, "data is " + size + " bytes; the limit is " + limits.maxDataSize());
        }
        List<String> channels = new ArrayList<>();
        JsonNode single = node.get("channel");
        JsonNode many = node.get("channels");
        if (single != null && !single.isNull()) {
            if (!single.isTextual()) {
                throw ApiException.badRequest("channel must be a string");
            }
            channels.add(single.textValue());
        }
        if (many != null && !many.isNull()) {
            if (batchItem) {
                throw ApiException.badRequest("a batch event takes one channel, not channels");
            }
            if (!many.isArray()) {
                throw ApiException.badRequest("channels must be a list of strings");
            }
            for (JsonNode channel : many) {
                if (!channel.isTextual()) {
                    throw ApiException.badRequest("channels must be a list of strings");
                }
                channels.add(channel.textValue());
            }
        }
        if (channels.isEmpty()) {
            throw ApiException.badRequest("channel or channels is required");
        }
        if (channels.size() > limits.maxChannels()) {
            throw ApiException.badRequest("channels has " + channels.size() + " entries; the limit is " + limits.maxChannels());
        }
        for (String channel : channels) {
            validChannel(channel, "channels");
        }
        String socketId = text(node, "socket_id");
        if (socketId != null && !SOCKET_ID.matcher(socketId).matches()) {
            throw ApiException.badRequest("socket_id must look like 123.456");
        }
        List<String> info = attributes(text(node, "info"), "user_count", "subscription_count");
        return new Event(name, data, List.copyOf(channels), socketId, info);
    }

    /** The {@code info} attributes asked for, each one of {@code allowed}. */
    static List<String> attributes(String info, String... allowed) {
        List<String> attributes = info == null || info.isBlank() ? List.of() : List.of(info.split("\\s*,\\s*"));
        for (String attribute : attributes) {
            if (!List.of(allowed).contains(attribute)) {
                throw ApiException.badRequest("info may hold " + String.join(", ", allowed) + "; got '" + attribute + "'");
            }
        }
        return attributes;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiException.badRequest(field + " must be a string");
        }
        return value.textValue();
    }

    static void validChannel(String channel, String field) {
        if (!ChannelKind.isValidName(channel)) {
            throw ApiException.badRequest(field + ": '" + (channel.length() > 200 ? channel.substring(0, 200) + "..." : channel)
                    + "' is not a valid channel name (1-164 of A-Z a-z 0-9 _ - = @ , . ;)");
        }
    }
}
