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

    /** For {@link #from}: what {@link #bad} was given. Transient: the value may be a credential. */
    private final transient String setting;
    private final transient Object value;
    private final transient String allowed;

    public ConfigurationException(String message) {
        this(message, null, null, null);
    }

    private ConfigurationException(String message, String setting, Object value, String allowed) {
        super(message, null, false, false);
        this.setting = setting;
        this.value = value;
        this.allowed = allowed;
    }

    public static ConfigurationException bad(String setting, Object value, String allowed) {
        return new ConfigurationException(message(setting, value, null, allowed), setting, value, allowed);
    }

    private static String message(String setting, Object value, String source, String allowed) {
        return "Invalid setting " + setting + "=" + shown(setting, value) + (source == null ? "" : " (" + source + ")") + ": " + allowed;
    }

    /** The bad value as {@link #bad} was given it (the very object: see {@link SettingSources}), or null. */
    Object value() {
        return value;
    }

    /**
     * The same problem naming where the value came from: {@code Invalid setting port='x' (environment
     * variable REVERB_SERVER_PORT): ...}. Only for problems made by {@link #bad}; others are returned as they are.
     */
    public ConfigurationException from(String source) {
        if (setting == null || source == null) {
            return this;
        }
        return new ConfigurationException(message(setting, value, source, allowed), setting, value, allowed);
    }

    /**
     * A key nobody reads, most often a typo: named with the nearest known key, its value left out (a
     * mistyped {@code secert:} holds a secret all the same).
     *
     * @param where    the mapping: {@code server}, {@code apps[0]}, or {@code section} for a top-level key
     * @param location {@code file:line}, or null
     */
    public static ConfigurationException unknown(String where, String name, String location, Collection<String> allowed) {
        boolean section = where.equals("section");
        String prefix = section ? "" : where + ".";
        String suggestion = Suggestions.didYouMean(name, allowed, prefix);
        return new ConfigurationException("Unknown " + (section ? "section " : "setting ") + prefix + name
                + (location == null ? "" : " in " + location)
                + (suggestion.isEmpty() ? "; allowed: " + String.join(", ", new TreeSet<>(allowed)) : suggestion));
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
