package dev.chorus.relay;

/**
 * What one node tells the others. An {@link Type#EVENT} carries a complete, already encoded frame for
 * a channel (so the receiving node does no encoding), and the socket id that must not get it;
 * a {@link Type#TERMINATE} names a user whose connections every node closes; a {@link Type#COUNT} says
 * the sending node's subscriptions of a channel changed (no count: each node reads the cluster's total
 * when it sends, so a late notice can never make a stale count the last one a subscriber sees);
 * {@link Type#ONLINE} and {@link Type#OFFLINE} say a signed-in user's first connection in the cluster
 * opened or last one closed, for each node to tell its watchers (no frame: only watchers of that user
 * get one, and the receiving node knows who they are).
 *
 * @param node    the sending node; a node ignores its own envelopes when they come back
 * @param except  socket id excluded from delivery, or null
 * @param user    the user a TERMINATE, ONLINE or OFFLINE is about; for an INTERNAL presence member frame,
 *                the member's user
 * @param version for an INTERNAL presence member frame, the roster version after its change (see
 *                {@code RosterChange}); 0 otherwise
 */
public record Envelope(String node, Type type, String app, String channel, String frame, String except, String user,
                       long version) {
    /** EVENT: an event, cached on cache channels; INTERNAL: a pusher_internal frame, never cached. */
    public enum Type { EVENT, INTERNAL, TERMINATE, RESTART, COUNT, ONLINE, OFFLINE }

    public static Envelope event(String node, String app, String channel, String frame, String except) {
        return new Envelope(node, Type.EVENT, app, channel, frame, except, null, 0);
    }

    public static Envelope internal(String node, String app, String channel, String frame, String except) {
        return new Envelope(node, Type.INTERNAL, app, channel, frame, except, null, 0);
    }

    /** A presence member frame and the roster change it announces, so each node can filter it per subscriber. */
    public static Envelope member(String node, String app, String channel, String frame, String except, String user,
                                  long version) {
        return new Envelope(node, Type.INTERNAL, app, channel, frame, except, user, version);
    }

    /** {@code chorus restart}: every node tells its clients to reconnect and exits for its supervisor. */
    public static Envelope restart(String node) {
        return new Envelope(node, Type.RESTART, "*", null, null, null, null, 0);
    }

    /** The sender's subscriptions of the channel changed: subscription counting nodes send the new total. */
    public static Envelope count(String node, String app, String channel) {
        return new Envelope(node, Type.COUNT, app, channel, null, null, null, 0);
    }

    /** The user's first signed-in connection in the cluster opened ({@code online}) or last one closed. */
    public static Envelope userStatus(String node, String app, String user, boolean online) {
        return new Envelope(node, online ? Type.ONLINE : Type.OFFLINE, app, null, null, null, user, 0);
    }

    public static Envelope terminate(String node, String app, String user) {
        return new Envelope(node, Type.TERMINATE, app, null, null, null, user, 0);
    }
}
