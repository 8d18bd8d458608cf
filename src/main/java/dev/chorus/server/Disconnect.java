package dev.chorus.server;

import dev.chorus.app.App;
import dev.chorus.broadcast.Membership;
import dev.chorus.channel.Member;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.PusherError;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The end of a connection, whoever ends it: the cleanup after any close (admission, registry, watchlist,
 * every subscription), and the server-side closes that lead to it (a Pusher error code, a user's
 * connections terminated).
 * <p>Threading: any thread; a connection is cleaned up exactly once, by whoever marks it closed first.
 */
final class Disconnect {
    private final ConnectionRegistry registry;
    private final Membership membership;
    private final Watchlists watchlists;
    private final Admission admission;
    private final Metrics metrics;
    private final FrameLog log;
    /** Each open connection's admission, released when it closes. */
    private final Map<Connection, Admission.Ticket> tickets = new ConcurrentHashMap<>();

    Disconnect(ConnectionRegistry registry, Membership membership, Watchlists watchlists, Admission admission,
               Metrics metrics, FrameLog log) {
        this.registry = registry;
        this.membership = membership;
        this.watchlists = watchlists;
        this.admission = admission;
        this.metrics = metrics;
        this.log = log;
    }

    /** The connection holds this admission until it closes. */
    void admitted(Connection connection, Admission.Ticket ticket) {
        tickets.put(connection, ticket);
        if (connection.isClosed() && tickets.remove(connection, ticket)) {
            // Closed before the ticket was recorded: release what closed() could not.
            admission.release(ticket);
        }
    }

    /**
     * The socket is gone (client close, network loss, or our own close). Idempotent; costs
     * O(this connection's channels).
     */
    void closed(Connection connection) {
        if (!connection.markClosed()) {
            return;
        }
        Admission.Ticket ticket = tickets.remove(connection);
        if (ticket != null) {
            admission.release(ticket);
        }
        if (registry.remove(connection)) {
            membership.connectionClosed(connection.app());
            metrics.connectionClosed(connection.app().id(), connection.closeReason());
        }
        watchlists.closed(connection);
        for (Map.Entry<String, Member> subscription : List.copyOf(connection.subscriptions().entrySet())) {
            connection.subscriptions().remove(subscription.getKey());
            membership.unsubscribe(connection.app(), subscription.getKey(), connection, subscription.getValue());
        }
        log.lifecycle(connection.socketId(), "closed");
    }

    /**
     * Closes a connection from the server side with a Pusher code, cleaning up at once.
     * @param flushFirst send what is queued and the error frame first; else drop them and close now
     */
    void terminate(Connection connection, PusherError error, boolean flushFirst) {
        if (flushFirst) {
            terminate(connection, error, NOTHING);
        } else {
            connection.closeReason(reason(error));
            connection.closeNow(error.code(), error.message());
            closed(connection);
        }
    }

    /**
     * Sends what is queued and the error frame, then closes with its code, cleaning up at once.
     * @param closing runs once the transport has been asked to close; see {@link Connection#closeAfterFlush(int, String, Runnable)}
     */
    void terminate(Connection connection, PusherError error, Runnable closing) {
        connection.closeReason(reason(error));
        connection.send(error.frame());
        connection.closeAfterFlush(error.code(), error.message(), closing);
        closed(connection);
    }

    private static final Runnable NOTHING = () -> { };

    private static String reason(PusherError error) {
        return error.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Closes every connection of a user on this node: signed in as that id, or a presence member with
     * it. 4009 keeps clients from reconnecting straight back.
     * @return how many were closed
     */
    int terminateUser(App app, String userId) {
        List<Connection> connections = registry.withUser(app, userId);
        for (Connection connection : connections) {
            terminate(connection, PusherError.TERMINATED, true);
        }
        return connections.size();
    }
}
