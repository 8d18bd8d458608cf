package dev.chorus.broadcast;

import dev.chorus.app.App;
import java.util.Collection;
import java.util.Map;

/**
 * The connections this node holds, as the cluster side needs them: what another node asks of them
 * (close a user's sockets, a watched user's status) and what this node re-reports about them. The
 * protocol server implements it; the broadcast side never sees a socket.
 * <p>Threading: called on the relay's thread and on the resync thread; implementations must not block
 * on a socket.
 */
public interface LocalSessions {
    /** Closes every connection of the user on this node (4009); returns how many. */
    int terminateUser(App app, String userId);

    /** A watched user's status changed on another node: tell this node's watchers only. */
    void userStatusRelayed(App app, String userId, boolean online);

    /**
     * A user's status this node learned from the cluster itself (a dead node held their last signed-in
     * connection, or they were reaped during an outage and are back): tell watchers here and elsewhere.
     */
    void userStatusFromCluster(App app, String userId, boolean online);

    /** App id → user ids signed in on this node. */
    Map<String, Collection<String>> signedInUsers();

    /** Connections per app id on this node. */
    Map<String, Integer> connectionCounts();
}
