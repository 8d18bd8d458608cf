package dev.chorus.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A setting that cannot be used. The message is one line naming the setting, the bad value and
 * what is allowed; the launcher prints it and exits, a container fails the deployment with it.
 * Messages end up in terminals, logs and CI output, so a value that is or may hold a credential is
 * never part of one (see {@link #shown}).
 */
public final class ConfigurationException extends RuntimeException {
    /** Setting names whose values are credentials: secret, password, keystore_password, metrics_token, and their env names. */
    private static final Pattern SENSITIVE = Pattern.compile("secret|password|token", Pattern.CASE_INSENSITIVE);

    public ConfigurationException(String message) {
        super(message, null, false, false);
    }

    public static ConfigurationException bad(String setting, Object value, String allowed) {
        return new ConfigurationException("Invalid setting " + setting + "=" + shown(setting, value) + ": " + allowed);
    }

    /**
     * A key nobody reads, most often a typo: named, its value left out (a mistyped {@code secert:} holds
     * a secret all the same).
     */
    public static ConfigurationException unknown(String where, String name, Collection<String> allowed) {
        return new ConfigurationException("Invalid setting " + where + "." + name + ": unknown setting '" + name
                + "' (value not shown); allowed: " + String.join(", ", new TreeSet<>(allowed)));
    }

    /**
     * How a bad value appears in a message: quoted, except credentials ({@code (hidden)}), the password
     * part of a URL ({@code redis://user:****@host}), and whole YAML mappings or lists (they may hold
     * credentials of their own; their kind is enough to see the mistake).
     */
    static String shown(String setting, Object value) {
        if (value == null) {
            return "(empty)";
        }
        if (setting != null && SENSITIVE.matcher(setting).find()) {
            return "(hidden)";
        }
        if (value instanceof JsonNode node && node.isContainerNode()) {
            return node.isArray() ? "(a list)" : "(a mapping)";
        }
        return "'" + maskUserInfo(String.valueOf(value)) + "'";
    }

    /**
     * {@code scheme://user:password@host...} → {@code scheme://user:****@host...}; a lone user-info part
     * is taken for a password (as several Redis clients read {@code redis://secret@host}). Works on text
     * that is not a valid URI, which is exactly what error messages see: everything up to the last
     * {@code @} counts as user info, so a password with an unencoded {@code @} or {@code /} stays hidden.
     */
    public static String maskUserInfo(String text) {
        int scheme = text.indexOf("://");
        int start = scheme < 0 ? 0 : scheme + 3;
        int at = text.lastIndexOf('@');
        if (at < start) {
            return text;
        }
        if (scheme < 0) {
            // "user:password@host" without a scheme: no way to tell the parts apart, hide all of it.
            return "****" + text.substring(at);
        }
        String userInfo = text.substring(start, at);
        int colon = userInfo.indexOf(':');
        String masked = colon >= 0 ? userInfo.substring(0, colon) + ":****" : "****";
        return text.substring(0, start) + masked + text.substring(at);
    }
}
