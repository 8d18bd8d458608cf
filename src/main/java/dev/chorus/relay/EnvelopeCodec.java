package dev.chorus.relay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.protocol.Json;

/** Envelopes as compact JSON on the wire between nodes. Decoding never throws: garbage is null. */
public final class EnvelopeCodec {
    private EnvelopeCodec() {
    }

    public static String encode(Envelope envelope) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("n", envelope.node());
        // Sending time, for the relay lag the receiving node reports (wall clocks: assumes NTP).
        node.put("s", System.currentTimeMillis());
        node.put("t", switch (envelope.type()) {
            case EVENT -> "e";
            case INTERNAL -> "i";
            case TERMINATE -> "t";
            case RESTART -> "r";
            case COUNT -> "c";
            case ONLINE -> "on";
            case OFFLINE -> "off";
        });
        node.put("a", envelope.app());
        if (envelope.channel() != null) {
            node.put("c", envelope.channel());
        }
        if (envelope.frame() != null) {
            node.put("f", envelope.frame());
        }
        if (envelope.except() != null) {
            node.put("x", envelope.except());
        }
        if (envelope.user() != null) {
            node.put("u", envelope.user());
        }
        if (envelope.version() != 0) {
            node.put("v", envelope.version());
        }
        return node.toString();
    }

    /**
     * The encoded envelope with the publishing node's sequence number in front, so a receiver can drop
     * a copy that a retried publish sent twice. Numbers grow by one per envelope a node publishes.
     */
    public static String withSequence(String encoded, long sequence) {
        return "{\"q\":" + sequence + "," + encoded.substring(1);
    }

    /** The sequence number {@link #withSequence} put in front, or -1 (an envelope from a node without them). */
    public static long sequence(String text) {
        if (!text.startsWith("{\"q\":")) {
            return -1;
        }
        long value = 0;
        int i = 5;
        for (; i < text.length() && Character.isDigit(text.charAt(i)); i++) {
            value = value * 10 + (text.charAt(i) - '0');
        }
        return i > 5 ? value : -1;
    }

    /** The sending time of an encoded envelope, or -1. */
    public static long sentAt(String text) {
        int at = text.indexOf("\"s\":");
        if (at < 0) {
            return -1;
        }
        long value = 0;
        for (int i = at + 4; i < text.length() && Character.isDigit(text.charAt(i)); i++) {
            value = value * 10 + (text.charAt(i) - '0');
        }
        return value;
    }

    public static Envelope decode(String text) {
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            if (node == null || !node.isObject() || !node.path("n").isTextual() || !node.path("a").isTextual()) {
                return null;
            }
            String type = node.path("t").asText();
            if ((type.equals("e") || type.equals("i")) && node.path("c").isTextual() && node.path("f").isTextual()) {
                // u and v: a presence member frame's user and roster version (absent from an older node: unfiltered).
                return new Envelope(node.get("n").asText(), type.equals("e") ? Envelope.Type.EVENT : Envelope.Type.INTERNAL,
                        node.get("a").asText(), node.get("c").asText(), node.get("f").asText(),
                        node.hasNonNull("x") ? node.get("x").asText() : null,
                        type.equals("i") && node.path("u").isTextual() ? node.get("u").asText() : null,
                        type.equals("i") && node.path("v").canConvertToLong() ? node.get("v").asLong() : 0);
            }
            if (type.equals("c") && node.path("c").isTextual()) {
                return Envelope.count(node.get("n").asText(), node.get("a").asText(), node.get("c").asText());
            }
            if (type.equals("r")) {
                return Envelope.restart(node.get("n").asText());
            }
            if ((type.equals("on") || type.equals("off")) && node.path("u").isTextual()) {
                return Envelope.userStatus(node.get("n").asText(), node.get("a").asText(), node.get("u").asText(),
                        type.equals("on"));
            }
            if (type.equals("t") && node.path("u").isTextual()) {
                return Envelope.terminate(node.get("n").asText(), node.get("a").asText(), node.get("u").asText());
            }
            return null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
