package dev.chorus.protocol;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Which request paths are served at all. Every resource has one spelling: a path that a router could
 * read differently from a check in front of it (path parameters, encoded separators or dots, empty or
 * dot segments) is refused before routing, so what is checked is always what is matched. Pusher's
 * SDKs never send such paths; channel names that need escaping ({@code ;}, {@code @}, {@code ,},
 * {@code =}) arrive percent-encoded and stay allowed.
 */
public final class RequestPaths {
    private static final String APPS = "/apps/";
    private static final String EVENTS = "/events";

    private RequestPaths() {
    }

    /**
     * The one reading of the route prefix ({@code REVERB_SERVER_PATH}).
     * @param prefix the prefix, empty or starting with {@code /} and without a trailing one
     * @return the path without the prefix when it is under it ({@code /prefix/apps/1} → {@code /apps/1});
     *     the path itself when there is no prefix; null when the path is not under the prefix
     */
    public static String underPrefix(String prefix, String path) {
        if (prefix.isEmpty()) {
            return path;
        }
        return path.startsWith(prefix) && path.length() > prefix.length() && path.charAt(prefix.length()) == '/'
                ? path.substring(prefix.length()) : null;
    }

    /** {@code /apps/{id}/events} (without the prefix) → the id; null for any other path. */
    public static String triggerApp(String path) {
        if (!path.startsWith(APPS) || !path.endsWith(EVENTS) || path.length() <= APPS.length() + EVENTS.length()) {
            return null;
        }
        String id = path.substring(APPS.length(), path.length() - EVENTS.length());
        return id.indexOf('/') >= 0 ? null : id;
    }

    /**
     * A query string as every HTTP API entry reads it for the signature: the first value of each
     * parameter, names and values percent-decoded with {@code +} as a space (as JAX-RS decodes them).
     * @param raw the query as received, or null
     * @throws IllegalArgumentException on malformed percent-encoding
     */
    public static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw == null) {
            return query;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            query.putIfAbsent(name, value);
        }
        return query;
    }

    /**
     * @param rawPath the path as sent, still percent-encoded, without the query
     * @return null when the path is canonical, else why it is refused (for a 400 answer)
     */
    public static String refusal(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return null;
        }
        if (rawPath.charAt(0) != '/') {
            return "The path must start with '/'";
        }
        int segmentStart = 1;
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            switch (c) {
                case ';':
                    return "Path parameters (';') are not accepted";
                case '\\':
                    return "Backslashes are not accepted in paths";
                case '%': {
                    int decoded = i + 2 < rawPath.length() ? hex(rawPath.charAt(i + 1), rawPath.charAt(i + 2)) : -1;
                    if (decoded < 0) {
                        return "Malformed percent-encoding in the path";
                    }
                    if (decoded == '/' || decoded == '\\' || decoded == '.' || decoded == '%'
                            || decoded < 0x20 || decoded == 0x7F) {
                        return "Encoded '/', '\\', '.', '%' or control characters are not accepted in paths";
                    }
                    i += 2;
                    break;
                }
                case '/':
                    if (i > 0) {
                        String problem = segment(rawPath, segmentStart, i);
                        if (problem != null) {
                            return problem;
                        }
                        segmentStart = i + 1;
                    }
                    break;
                default:
                    if (c < 0x20 || c == 0x7F) {
                        return "Control characters are not accepted in paths";
                    }
            }
        }
        // The last segment may be empty (a trailing slash), never a dot segment.
        String last = rawPath.substring(segmentStart);
        return last.equals(".") || last.equals("..") ? "Dot segments ('.', '..') are not accepted in paths" : null;
    }

    private static String segment(String path, int start, int end) {
        if (end == start) {
            return "Empty path segments ('//') are not accepted";
        }
        if ((end - start == 1 && path.charAt(start) == '.') || (end - start == 2 && path.startsWith("..", start))) {
            return "Dot segments ('.', '..') are not accepted in paths";
        }
        return null;
    }

    private static int hex(char high, char low) {
        int h = Character.digit(high, 16);
        int l = Character.digit(low, 16);
        return h < 0 || l < 0 ? -1 : h * 16 + l;
    }
}
