package dev.chorus.protocol;

/**
 * Channel types, decided by exact prefixes with their hyphen, longest first (Reverb matches
 * {@code private} without the hyphen, so {@code privatefoo} needs auth there; not here).
 */
public enum ChannelKind {
    PRIVATE_ENCRYPTED_CACHE("private-encrypted-cache-", true, false, true, true),
    PRIVATE_ENCRYPTED("private-encrypted-", true, false, true, false),
    PRIVATE_CACHE("private-cache-", true, false, false, true),
    PRESENCE_CACHE("presence-cache-", true, true, false, true),
    CACHE("cache-", false, false, false, true),
    PRIVATE("private-", true, false, false, false),
    PRESENCE("presence-", true, true, false, false),
    SERVER_TO_USER("#server-to-user-", false, false, false, false),
    PUBLIC("", false, false, false, false);

    private static final ChannelKind[] BY_PREFIX_LENGTH = values();

    private final String prefix;
    private final boolean requiresAuth;
    private final boolean presence;
    private final boolean encrypted;
    private final boolean cached;

    ChannelKind(String prefix, boolean requiresAuth, boolean presence, boolean encrypted, boolean cached) {
        this.prefix = prefix;
        this.requiresAuth = requiresAuth;
        this.presence = presence;
        this.encrypted = encrypted;
        this.cached = cached;
    }

    public static ChannelKind of(String channel) {
        for (ChannelKind kind : BY_PREFIX_LENGTH) {
            if (channel.startsWith(kind.prefix)) {
                return kind;
            }
        }
        return PUBLIC;
    }

    /** Valid names: 1-164 chars of {@code [A-Za-z0-9_\-=@,.;]}, or a {@code #server-to-user-} id. */
    public static boolean isValidName(String channel) {
        int length = channel.length();
        if (length == 0 || length > 164) {
            return false;
        }
        int start = channel.startsWith(SERVER_TO_USER.prefix) ? SERVER_TO_USER.prefix.length() : 0;
        if (start == length) {
            return false;
        }
        for (int i = start; i < length; i++) {
            char c = channel.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || c == '=' || c == '@' || c == ',' || c == '.' || c == ';';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public static String serverToUser(String userId) {
        return SERVER_TO_USER.prefix + userId;
    }

    public String prefix() {
        return prefix;
    }

    public boolean requiresAuth() {
        return requiresAuth;
    }

    public boolean presence() {
        return presence;
    }

    public boolean encrypted() {
        return encrypted;
    }

    public boolean cached() {
        return cached;
    }

    /** Clients may only whisper on authenticated, unencrypted channels: the server cannot vouch for others. */
    public boolean acceptsClientEvents() {
        return requiresAuth && !encrypted;
    }

    /**
     * Whether any connection may subscribe. {@code #server-to-user-} channels belong to the sign-in: only
     * the connection signed in as that id may subscribe (a confirmation only: the sign-in already joined it),
     * and nobody may unsubscribe from or whisper on them.
     */
    public boolean subscribable() {
        return this != SERVER_TO_USER;
    }
}
