package dev.chorus.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Where a setting's value came from: a flag, an environment variable, or a line of the config file, so
 * that a bad value's message says which of the three to fix.
 *
 * <p>Matched by identity, not by asking each call site: every value the loader checks is the very
 * String it took from the flags, the environment or the file (the loader picks among them with
 * {@code first(...)}), so the loader's many settings, and the ones added later, need no bookkeeping of
 * their own. A value the loader computed (a default, a sum) matches nothing and is named without a source.
 */
final class SettingSources {
    private final Map<String, String> flags;
    private final String flagLabel;
    private final Map<String, String> env;
    private final ConfigFile file;
    private final Map<Object, String> fileValues = new IdentityHashMap<>();

    /** @param flagLabel how a flag is named before its name: "flag --" or "system property chorus." */
    SettingSources(Map<String, String> flags, String flagLabel, Map<String, String> env, ConfigFile file) {
        this.flags = flags;
        this.flagLabel = flagLabel;
        this.env = env;
        this.file = file;
    }

    /** Notes that {@code value} was read from {@code field} of {@code mapping} (a node of the config file, or not). */
    String fromFile(String value, JsonNode mapping, String field) {
        if (value != null && file != null) {
            String at = file.at(mapping, field);
            if (at != null) {
                fileValues.put(value, at);
            }
        }
        return value;
    }

    /** Notes that {@code value} was read from {@code node} (a node of the config file, or not). */
    String fromFile(String value, JsonNode node) {
        String at = file == null ? null : file.at(node);
        if (value != null && at != null) {
            fileValues.put(value, at);
        }
        return value;
    }

    /** {@code file:line} of a key of a mapping of the config file, or null. */
    String at(JsonNode mapping, String field) {
        return file == null ? null : file.at(mapping, field);
    }

    /**
     * "flag --port", "environment variable REVERB_SERVER_PORT", "/etc/chorus.yaml:12", or null when the
     * value is none of those objects.
     */
    String of(Object value) {
        if (value == null) {
            return null;
        }
        for (Map.Entry<String, String> flag : flags.entrySet()) {
            if (flag.getValue() == value) {
                return flagLabel + flag.getKey();
            }
        }
        for (Map.Entry<String, String> variable : env.entrySet()) {
            if (variable.getValue() == value) {
                return "environment variable " + variable.getKey();
            }
        }
        String at = fileValues.get(value);
        if (at == null && value instanceof JsonNode node && file != null) {
            at = file.at(node);
        }
        return at;
    }
}
