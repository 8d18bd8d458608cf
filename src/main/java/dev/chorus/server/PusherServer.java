package dev.chorus.server;

import dev.chorus.app.App;
import dev.chorus.app.AppRegistry;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.broadcast.LocalSessions;
import dev.chorus.broadcast.Membership;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.connection.Transport;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.Events;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.InboundFrame;
import dev.chorus.protocol.InboundFrame.MalformedFrameException;
import dev.chorus.protocol.PusherError;
import java.util.Collection;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Pusher protocol's entry point, like Reverb's {@code Server}: opens connections ({@link Handshake}),
 * routes each inbound frame to its handler ({@link Subscriptions}, {@link ClientEvents}, {@link SignIn})
 * after the inbound rate limit, and hands closes to {@link Disconnect}. It also assembles those roles and
 * answers for them to the container and the HTTP API.
 * Transport-agnostic, so it is tested with a recording {@link Transport} and runs unchanged on every
 * container.
 * <p>Threading: {@link #open}, {@link #message} and {@link #closed} may be called from any container
 * thread; frames of one connection arrive one at a time. Nothing here blocks on a socket.
 */
public final class PusherServer implements LocalSessions {
    private static final Logger LOG = LoggerFactory.getLogger(PusherServer.class);

    private final Membership membership;
    private final FrameLog log;
    private final Metrics metrics;
    private final ConnectionRegistry registry;
    private final Handshake handshake;
    private final Watchlists watchlists;
    private final Disconnect disconnect;
    private final Liveness liveness;
    private final Drain drain;
    private final Subscriptions subscriptions;
    private final ClientEvents clientEvents;
    private final SignIn signIn;

    public PusherServer(AppRegistry apps, Broadcasting broadcasting, FrameLog log) {
        this(apps, broadcasting, log, Metrics.NONE);
    }

    public PusherServer(AppRegistry apps, Broadcasting broadcasting, FrameLog log, Metrics metrics) {
        this(apps, broadcasting, log, metrics, Admission.UNLIMITED);
    }

    /** @param broadcasting the roles; each part of the server is handed only those it needs */
    public PusherServer(AppRegistry apps, Broadcasting broadcasting, FrameLog log, Metrics metrics, Admission admission) {
        this.membership = broadcasting.membership();
        this.log = log;
        this.metrics = metrics;
        this.registry = new ConnectionRegistry();
        this.watchlists = new Watchlists(broadcasting.membership(), broadcasting.occupancy());
        this.disconnect = new Disconnect(registry, broadcasting.membership(), watchlists, admission, metrics, log);
        this.handshake = new Handshake(apps, broadcasting.membership(), broadcasting.occupancy(), registry, disconnect,
                admission, metrics, log);
        this.liveness = new Liveness(registry, disconnect, log);
        this.drain = new Drain(registry, disconnect);
        this.subscriptions = new Subscriptions(broadcasting.broadcaster(), broadcasting.membership(),
                broadcasting.occupancy(), broadcasting.webhooks(), registry);
        this.clientEvents = new ClientEvents(broadcasting.broadcaster(), broadcasting.webhooks());
        this.signIn = new SignIn(broadcasting.membership(), registry, watchlists);
    }

    /**
     * A new socket on {@code /app/{key}}; see {@link Handshake}.
     * @param protocol the {@code protocol} query parameter, or null when absent
     * @return the connection, or null when it was refused
     */
    public Connection open(Transport transport, String appKey, String origin, String protocol) {
        return handshake.open(transport, appKey, origin, protocol, null, null);
    }

    /**
     * As {@link #open(Transport, String, String, String)}, counted against the connection caps first:
     * a socket over {@code max_connections} or {@code max_connections_per_address} is refused (4100,
     * naming the limit) before anything is created for it.
     *
     * @param peer         the socket's remote address, null when the container does not tell
     * @param forwardedFor the handshake's {@code X-Forwarded-For}, believed only from a trusted proxy
     */
    public Connection open(Transport transport, String appKey, String origin, String protocol, String peer,
                           String forwardedFor) {
        return handshake.open(transport, appKey, origin, protocol, peer, forwardedFor);
    }

    /** One inbound text frame. Never throws: anything wrong is answered on the wire. */
    public void message(Connection connection, String text) {
        if (connection.isClosed() || !admit(connection)) {
            return;
        }
        connection.touch();
        metrics.messageReceived(connection.app().id());
        log.inbound(connection.socketId(), text);
        try {
            InboundFrame frame = InboundFrame.parse(text);
            String event = frame.event();
            switch (event) {
                case Events.PING -> connection.send(Frames.PONG);
                case Events.PONG -> { }
                case Events.SUBSCRIBE -> subscriptions.subscribe(connection, frame);
                case Events.UNSUBSCRIBE -> subscriptions.unsubscribe(connection, frame);
                case Events.SIGNIN -> signIn.handle(connection, frame);
                default -> {
                    if (event.startsWith(Events.CLIENT_PREFIX)) {
                        clientEvents.handle(connection, frame);
                    } else {
                        connection.send(PusherError.INVALID_FORMAT.frame());
                    }
                }
            }
        } catch (MalformedFrameException e) {
            connection.send(PusherError.INVALID_FORMAT.frame());
        } catch (RuntimeException e) {
            // A bug must cost one frame, never the socket or the server, and never reach the client.
            LOG.error("Unexpected failure handling a frame from " + connection.socketId(), e);
            connection.send(PusherError.INVALID_FORMAT.frame());
        }
    }

    /**
     * A WebSocket ping from the client. It counts against the inbound rate but is no proof of life:
     * a client that never reads could ping forever. Only the container's pong answers it.
     * @return true when the transport should answer it with a pong
     */
    public boolean ping(Connection connection) {
        return !connection.isClosed() && admit(connection);
    }

    /** A WebSocket pong from the client; see {@link Liveness#pong}. It counts against the inbound rate. */
    public void pong(Connection connection, boolean answersOurPing) {
        if (!connection.isClosed() && admit(connection)) {
            liveness.pong(connection, answersOurPing);
        }
    }

    /**
     * The inbound frame-rate limit, for every frame: over it the frame is dropped, answered with 4301 at
     * most once a second, and a connection that keeps going is closed with 4301 (its queued frames
     * dropped: it is flooding, not waiting for them).
     * @return true when the frame may be handled
     */
    private boolean admit(Connection connection) {
        switch (connection.admitInbound(System.nanoTime())) {
            case ACCEPT -> {
                return true;
            }
            case DROP -> {
                return false;
            }
            case DROP_AND_WARN -> {
                connection.send(PusherError.INBOUND_RATE_LIMITED.frame());
                return false;
            }
            default -> {
                metrics.inboundFlood(connection.app().id());
                log.lifecycle(connection.socketId(), "closed: over the inbound rate limit");
                disconnect.terminate(connection, PusherError.INBOUND_RATE_LIMITED, false);
                return false;
            }
        }
    }

    /** The socket is gone (client close, network loss, or our own close). Idempotent. */
    public void closed(Connection connection) {
        disconnect.closed(connection);
    }

    /** Closes a connection from the server side with a Pusher code, cleaning up at once. */
    public void terminate(Connection connection, PusherError error, boolean flushFirst) {
        disconnect.terminate(connection, error, flushFirst);
    }

    /** This node's connections of the user only; see {@link Disconnect#terminateUser}. */
    @Override
    public int terminateUser(App app, String userId) {
        return disconnect.terminateUser(app, userId);
    }

    /** Closes every connection of the user on every node (the HTTP API's {@code terminate_connections}). */
    public void terminateUserEverywhere(App app, String userId) {
        disconnect.terminateUser(app, userId);
        membership.terminateElsewhere(app, userId);
    }

    /** One liveness pass; see {@link Liveness#check}. */
    public void checkLiveness(long nowNanos) {
        liveness.check(nowNanos);
    }

    /** Shutdown and restart; see {@link Drain#drain}. */
    public void drain(PusherError error, long maxMillis) {
        drain.drain(error, maxMillis);
    }

    @Override
    public void userStatusRelayed(App app, String userId, boolean online) {
        watchlists.changed(app, userId, online);
    }

    @Override
    public void userStatusFromCluster(App app, String userId, boolean online) {
        watchlists.changed(app, userId, online);
        membership.announceUserStatus(app, userId, online);
    }

    @Override
    public Map<String, Collection<String>> signedInUsers() {
        return watchlists.signedInUsers();
    }

    public Collection<Connection> connections(App app) {
        return registry.connections(app);
    }

    public Connection connection(App app, String socketId) {
        return registry.connection(app, socketId);
    }

    @Override
    public Map<String, Integer> connectionCounts() {
        return registry.connectionCounts();
    }

    public int connectionCount() {
        return registry.connectionCount();
    }
}
