package dev.chorus.protocol;

/**
 * What a {@code member_added} or {@code member_removed} frame changes: whose user, in which channel, and
 * the channel's roster version after the change, as the cluster numbered it. A subscriber whose
 * {@code subscription_succeeded} roster was read at that version or later already has the change, so
 * the frame is not for it; nor is a frame about the subscriber's own user (Pusher never tells a member
 * about itself).
 *
 * @param version the roster version after the change; {@link #UNORDERED} when no cluster numbered it
 *                (a single node, or Redis unreachable): then only the own-user rule applies
 */
public record RosterChange(String channel, String userKey, long version) {
    public static final long UNORDERED = 0;

    /** True when a subscriber of the channel, as {@code userKey}, with a roster read at {@code rosterVersion}, must not get it. */
    public boolean staleFor(String userKey, long rosterVersion) {
        return this.userKey.equals(userKey) || version != UNORDERED && version <= rosterVersion;
    }
}
