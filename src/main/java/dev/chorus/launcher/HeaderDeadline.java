package dev.chorus.launcher;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A new connection must deliver a complete request head within {@code request_timeout}: a client
 * that opens a socket and trickles its headers (each byte resetting the idle timeout) is closed then,
 * instead of holding the socket for as long as it cares to. {@link RequestGate} marks a connection
 * once a request head has reached it; WebSocket connections replace the HTTP connection on upgrade
 * and are not checked again. Later requests on a kept-alive connection are bounded by the idle timeout.
 * <p>Threading: one scheduler task per new connection; the check only reads an attribute and closes.
 */
final class HeaderDeadline implements Connection.Listener {
    static final String SEEN = "dev.chorus.requestSeen";

    private final Scheduler scheduler;
    private final long millis;

    HeaderDeadline(Scheduler scheduler, Duration deadline) {
        this.scheduler = scheduler;
        this.millis = deadline.toMillis();
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof ConnectionMetaData) {
            scheduler.schedule(() -> check(connection), millis, TimeUnit.MILLISECONDS);
        }
    }

    private static void check(Connection connection) {
        if (connection instanceof ConnectionMetaData meta && meta.getAttribute(SEEN) == null
                && connection.getEndPoint().isOpen() && connection.getEndPoint().getConnection() == connection) {
            connection.getEndPoint().close();
        }
    }

    /**
     * Called by the gate for each request head it sees; marks the connection and returns its peer
     * address, formatted once per connection rather than per request.
     */
    static String seen(Request request) {
        ConnectionMetaData meta = request.getConnectionMetaData();
        if (meta.getAttribute(SEEN) instanceof String peer) {
            return peer.isEmpty() ? null : peer;
        }
        String peer = Request.getRemoteAddr(request);
        meta.setAttribute(SEEN, peer == null ? "" : peer);
        return peer;
    }
}
