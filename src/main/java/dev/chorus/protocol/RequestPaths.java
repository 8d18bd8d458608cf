package dev.chorus.protocol;

/**
 * Which request paths are served at all. Every resource has one spelling: a path that a router could
 * read differently from a check in front of it (path parameters, encoded separators or dots, empty or
 * dot segments) is refused before routing, so what is checked is always what is matched. Pusher's
 * SDKs never send such paths; channel names that need escaping ({@code ;}, {@code @}, {@code ,},
 * {@code =}) arrive percent-encoded and stay allowed.
 */
public final class RequestPaths {
    private RequestPaths() {
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
