package dev.chorus.protocol;

/** Event names on the wire. */
public final class Events {
    public static final String CONNECTION_ESTABLISHED = "pusher:connection_established";
    public static final String ERROR = "pusher:error";
    public static final String PING = "pusher:ping";
    public static final String PONG = "pusher:pong";
    public static final String SUBSCRIBE = "pusher:subscribe";
    public static final String UNSUBSCRIBE = "pusher:unsubscribe";
    public static final String SIGNIN = "pusher:signin";
    public static final String SIGNIN_SUCCESS = "pusher:signin_success";
    public static final String CACHE_MISS = "pusher:cache_miss";
    public static final String SUBSCRIPTION_ERROR = "pusher:subscription_error";
    public static final String SUBSCRIPTION_SUCCEEDED = "pusher_internal:subscription_succeeded";
    public static final String MEMBER_ADDED = "pusher_internal:member_added";
    public static final String MEMBER_REMOVED = "pusher_internal:member_removed";
    public static final String SUBSCRIPTION_COUNT = "pusher_internal:subscription_count";
    /** Online status of the users a signed-in connection watches (pusher-js {@code user.watchlist}). */
    public static final String WATCHLIST_EVENTS = "pusher_internal:watchlist_events";
    public static final String WATCHLIST_ONLINE = "online";
    public static final String WATCHLIST_OFFLINE = "offline";
    public static final String PUSHER_PREFIX = "pusher:";
    public static final String INTERNAL_PREFIX = "pusher_internal:";
    public static final String CLIENT_PREFIX = "client-";

    private Events() {
    }
}
