package dev.chorus.protocol;

/**
 * Every Pusher error Chorus sends: the code and the exact message clients see. Codes decide what
 * pusher-js does next (4000-4099 refused, 4100-4199 back off, 4200-4299 reconnect, 4300+ refused),
 * so each one is chosen for the client behaviour it triggers, with Reverb's strings where it has one.
 */
public enum PusherError {
    APP_NOT_FOUND(4001, "Application does not exist"),
    APP_DISABLED(4003, "Application is disabled"),
    OVER_QUOTA(4004, "Application is over connection quota"),
    INVALID_VERSION(4006, "Invalid version string format"),
    UNSUPPORTED_PROTOCOL(4007, "Unsupported protocol version"),
    ORIGIN_NOT_ALLOWED(4009, "Origin not allowed"),
    UNAUTHORIZED(4009, "Connection is unauthorized"),
    NOT_A_MEMBER(4009, "The client is not a member of the specified channel."),
    /** A client event for a channel name no subscribe would accept (Pusher answers a bad name with 4009). */
    INVALID_CHANNEL(4009, "Invalid channel name"),
    /** Pusher's own bound on the ids a sign-in's {@code user_data} may watch. */
    WATCHLIST_TOO_LONG(4009, "Watchlist too long: at most " + Frames.MAX_WATCHLIST + " user ids (watchlist)"),
    TERMINATED(4009, "Connection terminated by the server"),
    OVER_CAPACITY(4100, "Over capacity"),
    SERVER_FULL(4100, "Over capacity: this server holds its maximum of connections (max_connections)"),
    ADDRESS_FULL(4100, "Over capacity: too many connections from this address (max_connections_per_address)"),
    INVALID_FORMAT(4200, "Invalid message format"),
    SERVER_RESTARTING(4200, "Server is restarting, please reconnect"),
    PONG_TIMEOUT(4201, "Pong reply not received in time"),
    CLIENT_EVENTS_DISABLED(4301, "The app does not have client messaging enabled."),
    CLIENT_EVENT_CHANNEL(4301, "Client events are only supported on private and presence channels."),
    RATE_LIMITED(4301, "Rate limit exceeded"),
    /** Every inbound frame, not only client events, counts against {@code inbound_rate_limit}. */
    INBOUND_RATE_LIMITED(4301, "Rate limit exceeded: too many messages on this connection (inbound_rate_limit)");

    private final int code;
    private final String message;
    private final String frame;

    PusherError(int code, String message) {
        this.code = code;
        this.message = message;
        // Encoded once: errors are sent often enough under abuse that re-encoding matters.
        this.frame = Frames.error(code, message);
    }

    public int code() {
        return code;
    }

    public String message() {
        return message;
    }

    /** The complete {@code pusher:error} frame, {@code data} being a JSON string as clients expect. */
    public String frame() {
        return frame;
    }
}
