package dev.chorus.protocol;

/**
 * Builds the presence payload of {@code subscription_succeeded}:
 * {@code {"presence":{"ids":[...],"hash":{...},"count":N}}}, ids kept as sent (an int stays an int),
 * an empty hash as {@code {}}, never {@code []}. Not thread-safe: one per payload.
 */
public final class PresenceRoster {
    private final StringBuilder ids = new StringBuilder("[");
    private final StringBuilder hash = new StringBuilder("{");
    private int count;

    /**
     * @param userKey      the id as text (the hash key)
     * @param userIdJson   the id as the client sent it, as JSON
     * @param userInfoJson {@code user_info} as JSON, or null
     */
    public PresenceRoster add(String userKey, String userIdJson, String userInfoJson) {
        if (count > 0) {
            ids.append(',');
            hash.append(',');
        }
        count++;
        ids.append(userIdJson);
        Json.quoteInto(hash, userKey);
        hash.append(':').append(userInfoJson == null ? "null" : userInfoJson);
        return this;
    }

    public String data() {
        return "{\"presence\":{\"ids\":" + ids + "],\"hash\":" + hash + "},\"count\":" + count + "}}";
    }
}
