package dev.chorus.server;

import dev.chorus.app.App;
import dev.chorus.app.AppRegistry;
import dev.chorus.broadcast.Membership;
import dev.chorus.broadcast.Occupancy;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.connection.Transport;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.EncodedFrame;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.PusherError;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A new socket: admitted (node and per-address caps), checked (app, protocol version, origin, the app's
 * connection limit), given a socket id, registered and told {@code pusher:connection_established}; or
 * refused with a {@code pusher:error} and the same close code, so every client sees why (Reverb leaves
 * 4004/4009 sockets open).
 * <p>Threading: any container thread, any number at once; the app's limit is counted before the
 * connection exists, so two sockets cannot both take the last place.
 */
final class Handshake {
    private final AppRegistry apps;
    private final Membership membership;
    private final Occupancy occupancy;
    private final ConnectionRegistry registry;
    private final Disconnect disconnect;
    private final Admission admission;
    private final Metrics metrics;
    private final FrameLog log;
    /** Socket ids are {@code node.sequence}: unique on this node by construction, across nodes by the random node part. */
    private final String socketIdPrefix = ThreadLocalRandom.current().nextInt(1, 1_000_000_000) + ".";
    private final AtomicLong socketSequence = new AtomicLong(ThreadLocalRandom.current().nextInt(1, 1_000_000));

    /** @param occupancy for the app's connection count (the cluster's when scaling) */
    Handshake(AppRegistry apps, Membership membership, Occupancy occupancy, ConnectionRegistry registry,
              Disconnect disconnect, Admission admission, Metrics metrics, FrameLog log) {
        this.apps = apps;
        this.membership = membership;
        this.occupancy = occupancy;
        this.registry = registry;
        this.disconnect = disconnect;
        this.admission = admission;
        this.metrics = metrics;
        this.log = log;
    }

    /**
     * @param protocol     the {@code protocol} query parameter, or null when absent
     * @param peer         the socket's remote address, null when the container does not tell
     * @param forwardedFor the handshake's {@code X-Forwarded-For}, believed only from a trusted proxy
     * @return the connection, or null when it was refused
     */
    Connection open(Transport transport, String appKey, String origin, String protocol, String peer, String forwardedFor) {
        // Before anything is created for the socket: a flood of them must cost as little as possible.
        Admission.Decision decision = admission.admit(peer, forwardedFor);
        if (decision.refusal() != null) {
            metrics.connectionClosed("-", decision.refusal() == PusherError.SERVER_FULL ? "refused_server_full" : "refused_address_full");
            refuse(transport, decision.refusal());
            return null;
        }
        Connection connection = null;
        try {
            connection = admitted(transport, appKey, origin, protocol);
        } finally {
            if (connection == null) {
                admission.release(decision.ticket());
            } else {
                disconnect.admitted(connection, decision.ticket());
            }
        }
        return connection;
    }

    private Connection admitted(Transport transport, String appKey, String origin, String protocol) {
        App app = apps.byKey(appKey);
        PusherError refusal = app == null ? PusherError.APP_NOT_FOUND : refusal(app, origin, protocol);
        if (refusal != null) {
            metrics.connectionClosed(app == null ? "-" : app.id(), "refused_" + refusal.code());
            refuse(transport, refusal);
            return null;
        }
        String socketId = socketIdPrefix + socketSequence.incrementAndGet();
        Connection[] holder = new Connection[1];
        Connection connection = new Connection(socketId, app, transport, log, () -> overflowed(holder[0]));
        holder[0] = connection;
        registry.add(connection);
        membership.connectionOpened(app);
        metrics.connectionOpened(app.id());
        log.lifecycle(socketId, "connected to app " + app.id() + (origin == null ? "" : " from " + origin));
        connection.send(Frames.connectionEstablished(socketId, app.activityTimeoutSeconds()));
        return connection;
    }

    /** Why a socket of this app may not open, null when it may; then it is counted against the app's limit. */
    private PusherError refusal(App app, String origin, String protocol) {
        if (!app.enabled()) {
            return PusherError.APP_DISABLED;
        }
        if (protocol != null) {
            int version;
            try {
                version = Integer.parseInt(protocol.trim());
            } catch (NumberFormatException e) {
                return PusherError.INVALID_VERSION;
            }
            if (version < 5 || version > 7) {
                return PusherError.UNSUPPORTED_PROTOCOL;
            }
        }
        if (!app.allowsOrigin(origin)) {
            return PusherError.ORIGIN_NOT_ALLOWED;
        }
        int local = registry.reserve(app);
        // The cluster's count when scaling (other nodes' connections count too), else this node's.
        if (app.hasConnectionLimit()
                && (local > app.maxConnections() || occupancy.connectionCount(app, local - 1) + 1 > app.maxConnections())) {
            registry.unreserve(app);
            return PusherError.OVER_QUOTA;
        }
        return null;
    }

    private void refuse(Transport transport, PusherError error) {
        log.lifecycle("-", "refused " + error.code() + " " + error.message());
        transport.send(EncodedFrame.of(error.frame()), failure -> transport.close(error.code(), error.message()));
    }

    private void overflowed(Connection connection) {
        // Its queue is full, so an error frame could not get through: the close code says it.
        metrics.outboundOverflow(connection.app().id());
        disconnect.terminate(connection, PusherError.OVER_CAPACITY, false);
    }
}
