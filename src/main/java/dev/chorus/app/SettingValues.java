package dev.chorus.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The parsing steps every section of the settings shares: reading a value of the config file, rejecting
 * unknown keys, and checking integers, booleans and credentials. Kept apart from {@link SettingsLoader}
 * so each section's reader ({@link ScalingSettings}, {@link LimitSettings}) uses the same checks and the
 * same messages.
 *
 * <p>Every value read from the file is recorded with {@link SettingSources} and returned as that very
 * String, never a copy, so a bad value's message can still name its file and line.
 */
final class SettingValues {
    static final Pattern CREDENTIAL = Pattern.compile("[A-Za-z0-9_.\\-]{1,128}");

    private final SettingSources sources;

    SettingValues(SettingSources sources) {
        this.sources = sources;
    }

    /** Rejects a key of {@code node} that is not in {@code allowed}, naming where it is. */
    void checkKeys(ObjectNode node, String where, Set<String> allowed) {
        if (node == null) {
            return;
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw ConfigurationException.unknown(where, name, sources.at(node, name), allowed);
            }
        }
    }

    /** A value of the config file as text, remembered as the file's (with its line) for messages. */
    String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        return sources.fromFile(value.isValueNode() ? value.asText() : value.toString(), node, field);
    }

    List<String> stringList(String setting, JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of("*");
        }
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            for (String part : node.textValue().split(",")) {
                if (!part.isBlank()) {
                    out.add(sources.fromFile(part.trim(), node));
                }
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                if (!item.isTextual() || item.textValue().isBlank()) {
                    throw ConfigurationException.bad(setting, item, "a list of host globs such as '*.example.com' or '*'");
                }
                out.add(sources.fromFile(item.textValue().trim(), item));
            }
        } else {
            throw ConfigurationException.bad(setting, node, "a list of host globs such as '*.example.com' or '*'");
        }
        for (String origin : out) {
            if (origin.contains("://")) {
                throw ConfigurationException.bad(setting, origin, "host globs only, without scheme (e.g. 'app.example.com')");
            }
        }
        return out;
    }

    static ObjectNode object(JsonNode root, String field, String setting) {
        JsonNode node = root == null ? null : root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw ConfigurationException.bad(setting, node, "a mapping");
        }
        return (ObjectNode) node;
    }

    static int integer(String setting, String raw, int min, int max) {
        try {
            long value = Long.parseLong(raw.trim());
            if (value < min || value > max) {
                throw ConfigurationException.bad(setting, raw, "an integer from " + min + " to " + max);
            }
            return (int) value;
        } catch (NumberFormatException e) {
            throw ConfigurationException.bad(setting, raw, "an integer from " + min + " to " + max);
        }
    }

    static boolean bool(String setting, String raw) {
        switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "true": case "1": case "yes": case "on": return true;
            case "false": case "0": case "no": case "off": case "": return false;
            default: throw ConfigurationException.bad(setting, raw, "true or false");
        }
    }

    static String required(String setting, String value, String envName) {
        if (value == null || value.isBlank()) {
            throw ConfigurationException.bad(setting, value, "required (config file or " + envName + ")");
        }
        return value.trim();
    }

    static void credential(String setting, String value) {
        if (!CREDENTIAL.matcher(value).matches()) {
            throw ConfigurationException.bad(setting, value, "1-128 characters of letters, digits, '-', '_', '.'");
        }
    }

    /** The first value that is set, as the very object given, so its source can still be told. */
    static String first(String... values) {
        for (String value : values) {
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return null;
    }
}
