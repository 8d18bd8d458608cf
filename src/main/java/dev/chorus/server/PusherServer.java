package dev.chorus.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.app.App;
import dev.chorus.app.AppRegistry;
import dev.chorus.app.ClientEventPolicy;
import dev.chorus.broadcast.Broadcaster;
import dev.chorus.channel.Channel;
import dev.chorus.channel.ChannelRegistry;
import dev.chorus.channel.Member;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.connection.Transport;
import dev.chorus.protocol.ChannelKind;
import dev.chorus.protocol.EncodedFrame;
import dev.chorus.protocol.Events;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.InboundFrame;
import dev.chorus.protocol.InboundFrame.MalformedFrameException;
import dev.chorus.protocol.Json;
import dev.chorus.protocol.PusherError;
import dev.chorus.protocol.Signer;
import dev.chorus.protocol.Webhooks;
import dev.chorus.metrics.Metrics;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Pusher protocol state machine: open, inbound frames, close; subscriptions, presence, client
 * events, user sign-in and liveness. Transport-agnostic, so it is tested with a recording
 * {@link Transport} and runs unchanged on every container.
 * <p>Threading: {@link #open}, {@link #message} and {@link #closed} may be called from any container
 * thread; frames of one connection arrive one at a time. Nothing here blocks on a socket.
 */
public final class PusherServer {
    private static final Logger LOG = LoggerFactory.getLogger(PusherServer.class);

    private final AppRegistry apps;
    private final Broadcaster broadcaster;
    private final FrameLog log;
    private final Metrics metrics;
    private final Map<String, AppConnections> connections = new ConcurrentHashMap<>();
    /** Socket ids are {@code node.sequence}: unique on this node by construction, across nodes by the random node part. */
    private final String socketIdPrefix = ThreadLocalRandom.current().nextInt(1, 1_000_000_000) + ".";
    private final AtomicLong socketSequence = new AtomicLong(ThreadLocalRandom.current().nextInt(1, 1_000_000));

    public PusherServer(AppRegistry apps, Broadcaster broadcaster, FrameLog log) {
        this(apps, broadcaster, log, Metrics.NONE);
    }

    public PusherServer(AppRegistry apps, Broadcaster broadcaster, FrameLog log, Metrics metrics) {
        this(apps, broadcaster, log, metrics, Admission.UNLIMITED);
    }

    public PusherServer(AppRegistry apps, Broadcaster broadcaster, FrameLog log, Metrics metrics, Admission admission) {
        this.apps = apps;
        this.broadcaster = broadcaster;
        this.log = log;
        this.metrics = metrics;
        this.admission = admission;
        this.watchlists = new Watchlists(broadcaster);
    }

    private final Watchlists watchlists;

    private final Admission admission;
    /** Each open connection's admission, released when it closes. */
    private final Map<Connection, Admission.Ticket> tickets = new ConcurrentHashMap<>();

    /** Connections of one app on this node. */
    private static final class AppConnections {
        final Map<String, Connection> bySocketId = new ConcurrentHashMap<>();
        final AtomicInteger count = new AtomicInteger();
    }

    public Collection<Connection> connections(App app) {
        return appConnections(app).bySocketId.values();
    }

    public Connection connection(App app, String socketId) {
        return appConnections(app).bySocketId.get(socketId);
    }

    private AppConnections appConnections(App app) {
        return connections.computeIfAbsent(app.id(), id -> new AppConnections());
    }

    /**
     * A new socket on {@code /app/{key}}. Refusals are sent as {@code pusher:error} and the socket is
     * then closed with the same code, so every client sees why (Reverb leaves 4004/4009 sockets open).
     *
     * @param protocol the {@code protocol} query parameter, or null when absent
     * @return the connection, or null when it was refused
     */
    public Connection open(Transport transport, String appKey, String origin, String protocol) {
        return open(transport, appKey, origin, protocol, null, null);
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
                tickets.put(connection, decision.ticket());
            }
        }
        return connection;
    }

    private Connection admitted(Transport transport, String appKey, String origin, String protocol) {
        App app = apps.byKey(appKey);
        if (app == null) {
            metrics.connectionClosed("-", "refused_4001");
            refuse(transport, PusherError.APP_NOT_FOUND);
            return null;
        }
        if (!app.enabled()) {
            metrics.connectionClosed(app.id(), "refused_4003");
            refuse(transport, PusherError.APP_DISABLED);
            return null;
        }
        if (protocol != null) {
            int version;
            try {
                version = Integer.parseInt(protocol.trim());
            } catch (NumberFormatException e) {
                metrics.connectionClosed(app.id(), "refused_4006");
                refuse(transport, PusherError.INVALID_VERSION);
                return null;
            }
            if (version < 5 || version > 7) {
                metrics.connectionClosed(app.id(), "refused_4007");
                refuse(transport, PusherError.UNSUPPORTED_PROTOCOL);
                return null;
            }
        }
        if (!app.allowsOrigin(origin)) {
            metrics.connectionClosed(app.id(), "refused_4009");
            refuse(transport, PusherError.ORIGIN_NOT_ALLOWED);
            return null;
        }
        AppConnections appConnections = appConnections(app);
        if (app.hasConnectionLimit()) {
            int local = appConnections.count.incrementAndGet();
            // The cluster's count when scaling (other nodes' connections count too), else this node's.
            long total = broadcaster.connectionCount(app, local - 1) + 1;
            if (local > app.maxConnections() || total > app.maxConnections()) {
                appConnections.count.decrementAndGet();
                metrics.connectionClosed(app.id(), "refused_4004");
                refuse(transport, PusherError.OVER_QUOTA);
                return null;
            }
        } else {
            appConnections.count.incrementAndGet();
        }
        String socketId = socketIdPrefix + socketSequence.incrementAndGet();
        Connection[] holder = new Connection[1];
        Connection connection = new Connection(socketId, app, transport, log, () -> overflowed(holder[0]));
        holder[0] = connection;
        appConnections.bySocketId.put(socketId, connection);
        broadcaster.connectionOpened(app);
        metrics.connectionOpened(app.id());
        log.lifecycle(socketId, "connected to app " + app.id() + (origin == null ? "" : " from " + origin));
        connection.send(Frames.connectionEstablished(socketId, app.activityTimeoutSeconds()));
        return connection;
    }

    private void refuse(Transport transport, PusherError error) {
        log.lifecycle("-", "refused " + error.code() + " " + error.message());
        transport.send(EncodedFrame.of(error.frame()), failure -> transport.close(error.code(), error.message()));
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
                case Events.SUBSCRIBE -> subscribe(connection, frame);
                case Events.UNSUBSCRIBE -> unsubscribe(connection, frame);
                case Events.SIGNIN -> signin(connection, frame);
                default -> {
                    if (event.startsWith(Events.CLIENT_PREFIX)) {
                        clientEvent(connection, frame);
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

    /**
     * A WebSocket pong from the client: proof of life only when it answers our ping (the transport
     * knows its ping's payload); an unsolicited pong just counts against the inbound rate.
     */
    public void pong(Connection connection, boolean answersOurPing) {
        if (!connection.isClosed() && admit(connection) && answersOurPing) {
            connection.touch();
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
                terminate(connection, PusherError.INBOUND_RATE_LIMITED, false);
                return false;
            }
        }
    }

    private void subscribe(Connection connection, InboundFrame frame) throws MalformedFrameException {
        if (frame.data() == null || !frame.data().isObject()) {
            throw new MalformedFrameException("subscribe without data");
        }
        JsonNode channelNode = frame.data().get("channel");
        if (channelNode == null || !channelNode.isTextual()) {
            throw new MalformedFrameException("channel missing");
        }
        String channel = channelNode.textValue();
        String auth = frame.dataString("auth");
        String channelData = frame.dataString("channel_data");
        App app = connection.app();
        ChannelKind kind = ChannelKind.of(channel);
        if (!kind.subscribable() && ownUserChannel(connection, channel)) {
            // pusher-js subscribes to its own #server-to-user- channel after signin_success (with an empty
            // or no auth). The sign-in already made the connection a member: only confirm, so nothing is
            // joined twice or counted against max_channels_per_connection. Checked before the name rule,
            // which a signed user id need not meet.
            connection.send(Frames.subscriptionSucceeded(channel, "{}"));
            return;
        }
        if (!ChannelKind.isValidName(channel)) {
            subscriptionError(connection, channel, "InvalidChannel", "Invalid channel name", 400, PusherError.UNAUTHORIZED);
            return;
        }
        if (!kind.subscribable()) {
            subscriptionError(connection, channel, "AuthError", "Channel is reserved for signed-in users", 403,
                    PusherError.UNAUTHORIZED);
            return;
        }
        // Before the signature check, so a subscribe flood costs no HMAC; only this subscribe fails, the
        // socket stays open (no pusher:error, which clients may treat as fatal).
        int perConnection = app.limits().maxChannelsPerConnection();
        if (connection.countedSubscriptions() >= perConnection && !connection.subscriptions().containsKey(channel)) {
            connection.send(Frames.tooManyChannelsOnConnection(channel, perConnection));
            return;
        }
        if (kind.requiresAuth()) {
            Signer signer = new Signer(app.secret());
            if (!signer.verifyChannelAuth(app.key(), connection.socketId(), channel, channelData, auth)) {
                subscriptionError(connection, channel, "AuthError", "Invalid signature", 401, PusherError.UNAUTHORIZED);
                return;
            }
        }
        Member member = Connection.NOT_PRESENCE;
        if (kind.presence()) {
            member = presenceMember(channelData);
            if (member == null) {
                subscriptionError(connection, channel, "AuthError",
                        "channel_data must be a JSON object with a string or number user_id", 400, PusherError.UNAUTHORIZED);
                return;
            }
            // Every member is in every subscriber's roster (and in the cluster's): bound what one may add.
            // Only this subscribe fails; no pusher:error, which clients may treat as fatal.
            if (member.userKey().length() > Frames.MAX_PRESENCE_USER_ID_LENGTH) {
                connection.send(Frames.presenceUserIdTooLong(channel));
                return;
            }
            int maxInfo = app.limits().maxPresenceUserInfoSize();
            if (member.userInfoJson() != null && Json.utf8Length(member.userInfoJson()) > maxInfo) {
                connection.send(Frames.presenceUserInfoTooLarge(channel, maxInfo));
                return;
            }
        }
        // What the channel delivers from the moment of joining waits until the confirmation has gone.
        connection.hold();
        EncodedFrame confirmation = null;
        Broadcaster.Joined joined;
        ChannelRegistry.Subscribed result;
        try {
            joined = broadcaster.subscribe(app, channel, connection, member);
            result = joined.local();
            if (result.channelsFull()) {
                confirmation = EncodedFrame.of(Frames.tooManyChannels(channel, app.limits().maxChannels()));
                return;
            }
            if (result.rosterFull()) {
                // Only the channel failed, not the connection: no pusher:error, which clients may treat as fatal.
                confirmation = EncodedFrame.of(Frames.presenceFull(channel));
                return;
            }
            if (!result.alreadySubscribed()) {
                // member_added goes out before the subscription is the connection's, so closed() (on another
                // thread) can only take it back after the members heard of the user: member_removed never
                // comes without its member_added. Others hear of the newcomer before it hears it is in, as
                // Reverb does: anyone who subscribes after this confirmation finds it in their roster.
                if (joined.firstForUser()) {
                    if (connection.isClosed()) {
                        // Closed before anyone heard of the user: take it back without a word.
                        broadcaster.unsubscribe(app, channel, connection, member, false);
                        return;
                    }
                    broadcaster.publishInternal(app, result.channel(),
                            Frames.memberAdded(channel, member.userIdJson(), member.userInfoJson()), connection.socketId());
                }
                connection.subscriptions().put(channel, member);
                if (connection.isClosed()) {
                    // Closed while we subscribed: take it back so nothing is left behind.
                    if (connection.subscriptions().remove(channel, member)) {
                        leave(connection, channel, member);
                    }
                    return;
                }
            }
            confirmation = EncodedFrame.of(Frames.subscriptionSucceeded(channel, kind.presence() ? joined.presenceData() : "{}"));
        } finally {
            connection.release(confirmation);
        }
        if (kind.cached()) {
            String cached = broadcaster.cached(app, channel);
            if (cached != null) {
                connection.send(cached);
            } else {
                connection.send(Frames.cacheMiss(channel));
                broadcaster.emit(app, Webhooks.channelEvent(Webhooks.CACHE_MISS, channel));
            }
        }
    }

    /**
     * True when {@code channel} is the {@code #server-to-user-} channel of the id this connection is
     * signed in as. Frames of a connection are handled one at a time, so a subscribe sent right after the
     * signin (before its success arrived) already finds the sign-in done.
     */
    private static boolean ownUserChannel(Connection connection, String channel) {
        String userId = connection.userId();
        return userId != null && channel.equals(ChannelKind.serverToUser(userId))
                && connection.subscriptions().containsKey(channel);
    }

    private static Member presenceMember(String channelData) {
        if (channelData == null) {
            return null;
        }
        JsonNode data;
        try {
            data = Json.MAPPER.readTree(channelData);
        } catch (Exception e) {
            return null;
        }
        if (data == null || !data.isObject()) {
            return null;
        }
        JsonNode userId = data.get("user_id");
        if (userId == null || !(userId.isTextual() || userId.isIntegralNumber()) || userId.asText().isEmpty()) {
            return null;
        }
        JsonNode info = data.get("user_info");
        String infoJson = info == null || info.isNull() ? null : Json.write(info);
        return new Member(userId.asText(), Json.write(userId), infoJson);
    }

    private void subscriptionError(Connection connection, String channel, String type, String message, int status,
                                   PusherError error) {
        connection.send(Frames.subscriptionError(channel, type, message, status));
        connection.send(error.frame());
    }

    private void unsubscribe(Connection connection, InboundFrame frame) throws MalformedFrameException {
        if (frame.data() == null || !frame.data().isObject()) {
            throw new MalformedFrameException("unsubscribe without data");
        }
        String channel = frame.dataString("channel");
        if (channel == null) {
            throw new MalformedFrameException("channel missing");
        }
        // The server-to-user channel belongs to the sign-in, not to the client.
        if (!ChannelKind.of(channel).subscribable()) {
            return;
        }
        Member member = connection.subscriptions().remove(channel);
        if (member != null) {
            leave(connection, channel, member);
        }
    }

    private void leave(Connection connection, String channel, Member member) {
        broadcaster.unsubscribe(connection.app(), channel, connection, member);
    }

    private void clientEvent(Connection connection, InboundFrame frame) throws MalformedFrameException {
        App app = connection.app();
        if (app.clientEvents() == ClientEventPolicy.NONE) {
            connection.send(PusherError.CLIENT_EVENTS_DISABLED.frame());
            return;
        }
        String channel = frame.channel();
        if (channel == null) {
            throw new MalformedFrameException("client event without channel");
        }
        // Validated like a subscribe or a server event: nothing is published to, or cached under, a
        // name no subscriber could have.
        if (!ChannelKind.isValidName(channel) || !ChannelKind.of(channel).subscribable()) {
            connection.send(PusherError.INVALID_CHANNEL.frame());
            return;
        }
        if (frame.event().length() > Frames.MAX_EVENT_NAME_LENGTH) {
            connection.send(PusherError.INVALID_FORMAT.frame());
            return;
        }
        if (!ChannelKind.of(channel).acceptsClientEvents()) {
            connection.send(PusherError.CLIENT_EVENT_CHANNEL.frame());
            return;
        }
        Member member = connection.subscriptions().get(channel);
        if (member == null && app.clientEvents() == ClientEventPolicy.MEMBERS) {
            connection.send(PusherError.NOT_A_MEMBER.frame());
            return;
        }
        if (!connection.allowClientEvent(System.nanoTime())) {
            connection.send(PusherError.RATE_LIMITED.frame());
            return;
        }
        String userIdJson = member != null && member != Connection.NOT_PRESENCE ? member.userIdJson() : null;
        String dataJson = frame.data() == null ? "null" : Json.write(frame.data());
        String event = Frames.clientEvent(frame.event(), channel, dataJson, userIdJson);
        if (member != null) {
            broadcaster.publishFrame(app, channel, event, connection.socketId());
        } else {
            // accept_client_events_from: all lets a non-member speak, never set what later subscribers are handed.
            broadcaster.publishUncached(app, channel, event, connection.socketId());
        }
        if (!app.webhooks().isEmpty()) {
            broadcaster.emit(app, Webhooks.clientEvent(channel, frame.event(), dataJson, connection.socketId(),
                    userIdJson == null ? null : member.userKey()));
        }
    }

    private void signin(Connection connection, InboundFrame frame) throws MalformedFrameException {
        if (frame.data() == null || !frame.data().isObject()) {
            throw new MalformedFrameException("signin without data");
        }
        String auth = frame.dataString("auth");
        String userData = frame.dataString("user_data");
        App app = connection.app();
        if (userData == null || !new Signer(app.secret()).verifyUserAuth(app.key(), connection.socketId(), userData, auth)) {
            connection.send(PusherError.UNAUTHORIZED.frame());
            connection.closeAfterFlush(PusherError.UNAUTHORIZED.code(), PusherError.UNAUTHORIZED.message());
            return;
        }
        SignedUser user = signedUserOf(userData);
        if (user == null) {
            connection.send(PusherError.UNAUTHORIZED.frame());
            connection.closeAfterFlush(PusherError.UNAUTHORIZED.code(), PusherError.UNAUTHORIZED.message());
            return;
        }
        boolean watchlistEvents = app.features().watchlistEvents();
        if (watchlistEvents && user.watchlistTooLong()) {
            // Refused like any other bad sign-in: the app's own server signed something Pusher would refuse.
            connection.send(PusherError.WATCHLIST_TOO_LONG.frame());
            connection.closeAfterFlush(PusherError.WATCHLIST_TOO_LONG.code(), PusherError.WATCHLIST_TOO_LONG.message());
            return;
        }
        String userId = user.id();
        String previous = connection.userId();
        if (previous != null && !previous.equals(userId)) {
            String old = ChannelKind.serverToUser(previous);
            if (connection.subscriptions().remove(old) != null) {
                leave(connection, old, Connection.NOT_PRESENCE);
            }
        }
        connection.userId(userId);
        String userChannel = ChannelKind.serverToUser(userId);
        if (!connection.subscriptions().containsKey(userChannel)) {
            broadcaster.subscribe(app, userChannel, connection, Connection.NOT_PRESENCE);
            connection.subscriptions().put(userChannel, Connection.NOT_PRESENCE);
            if (connection.isClosed()) {
                leave(connection, userChannel, Connection.NOT_PRESENCE);
                return;
            }
        }
        if (!watchlistEvents) {
            connection.send(Frames.signinSuccess(userData));
            return;
        }
        // Before signin_success, so the user's watchers may hear "online" before the user itself is told it is in.
        watchlists.signedIn(connection, userId);
        connection.send(Frames.signinSuccess(userData));
        if (user.watchlist().isEmpty()) {
            watchlists.unwatch(connection);
            return;
        }
        // A change relayed while the status is being asked waits, so the status always comes first.
        connection.hold();
        EncodedFrame status = null;
        try {
            status = EncodedFrame.of(watchlists.watch(connection, user.watchlist()));
        } finally {
            connection.release(status);
        }
    }

    /**
     * What a sign-in's {@code user_data} says: the id, and the distinct ids it watches (empty: none).
     * @param watchlistTooLong over {@link Frames#MAX_WATCHLIST} entries (then {@code watchlist} is not read)
     */
    private record SignedUser(String id, List<String> watchlist, boolean watchlistTooLong) {
    }

    private static SignedUser signedUserOf(String userData) {
        try {
            JsonNode data = Json.MAPPER.readTree(userData);
            JsonNode id = data == null ? null : data.get("id");
            if (id == null || !(id.isTextual() || id.isIntegralNumber()) || id.asText().isEmpty()) {
                return null;
            }
            JsonNode list = data.get("watchlist");
            if (list == null || !list.isArray()) {
                return new SignedUser(id.asText(), List.of(), false);
            }
            if (list.size() > Frames.MAX_WATCHLIST) {
                return new SignedUser(id.asText(), List.of(), true);
            }
            java.util.Set<String> ids = new java.util.LinkedHashSet<>();
            for (JsonNode entry : list) {
                // Ids as sign-in accepts them; anything else could never be signed in, so never come online.
                if ((entry.isTextual() || entry.isIntegralNumber()) && !entry.asText().isEmpty()) {
                    ids.add(entry.asText());
                }
            }
            return new SignedUser(id.asText(), List.copyOf(ids), false);
        } catch (Exception e) {
            return null;
        }
    }

    /** A watched user's status changed on another node (relayed): tell this node's watchers. */
    public void userStatusRelayed(App app, String userId, boolean online) {
        watchlists.changed(app, userId, online);
    }

    /**
     * A user's status this node learned from the cluster itself (a dead node held their last signed-in
     * connection, or they were reaped during an outage and are back): tell watchers here and on the other nodes.
     */
    public void userStatusFromCluster(App app, String userId, boolean online) {
        watchlists.changed(app, userId, online);
        broadcaster.announceUserStatus(app, userId, online);
    }

    /** App id → user ids signed in on this node, for re-reporting to the cluster. */
    public Map<String, java.util.Collection<String>> signedInUsers() {
        return watchlists.signedInUsers();
    }

    /**
     * The socket is gone (client close, network loss, or our own close). Idempotent; costs
     * O(this connection's channels).
     */
    public void closed(Connection connection) {
        if (!connection.markClosed()) {
            return;
        }
        Admission.Ticket ticket = tickets.remove(connection);
        if (ticket != null) {
            admission.release(ticket);
        }
        AppConnections appConnections = appConnections(connection.app());
        if (appConnections.bySocketId.remove(connection.socketId()) != null) {
            appConnections.count.decrementAndGet();
            broadcaster.connectionClosed(connection.app());
            metrics.connectionClosed(connection.app().id(), connection.closeReason());
        }
        watchlists.closed(connection);
        for (Map.Entry<String, Member> subscription : List.copyOf(connection.subscriptions().entrySet())) {
            connection.subscriptions().remove(subscription.getKey());
            leave(connection, subscription.getKey(), subscription.getValue());
        }
        log.lifecycle(connection.socketId(), "closed");
    }

    /** Closes a connection from the server side with a Pusher code, cleaning up at once. */
    public void terminate(Connection connection, PusherError error, boolean flushFirst) {
        connection.closeReason(error.name().toLowerCase(java.util.Locale.ROOT));
        if (flushFirst) {
            connection.send(error.frame());
            connection.closeAfterFlush(error.code(), error.message());
        } else {
            connection.closeNow(error.code(), error.message());
        }
        closed(connection);
    }

    private void overflowed(Connection connection) {
        // Its queue is full, so an error frame could not get through: the close code says it.
        metrics.outboundOverflow(connection.app().id());
        terminate(connection, PusherError.OVER_CAPACITY, false);
    }

    /**
     * One liveness pass: ping connections silent for the app's ping interval, close with 4201 those
     * that stayed silent for the pong timeout after a ping. Every socket is checked, subscribed or not;
     * each transport also gets to close a socket whose write is stuck past the write timeout.
     */
    public void checkLiveness(long nowNanos) {
        for (AppConnections appConnections : connections.values()) {
            for (Connection connection : appConnections.bySocketId.values()) {
                connection.checkWrite(nowNanos);
                App app = connection.app();
                long pingSent = connection.pingSentNanos();
                if (pingSent != 0) {
                    if (nowNanos - pingSent >= app.pongTimeout().toNanos()) {
                        log.lifecycle(connection.socketId(), "pruned: no pong");
                        terminate(connection, PusherError.PONG_TIMEOUT, true);
                    }
                } else if (nowNanos - connection.lastSeenNanos() >= app.pingInterval().toNanos()) {
                    connection.ping(Frames.PING, nowNanos);
                }
            }
        }
    }

    /**
     * Tells every client why (4200: reconnect) and closes it, waiting up to {@code maxMillis} for the
     * frames to leave: used on shutdown and restart. Idempotent.
     */
    public void drain(PusherError error, long maxMillis) {
        List<Connection> closing = new java.util.ArrayList<>();
        for (AppConnections appConnections : connections.values()) {
            closing.addAll(appConnections.bySocketId.values());
        }
        closing.forEach(connection -> terminate(connection, error, true));
        long deadline = System.nanoTime() + maxMillis * 1_000_000;
        try {
            while (System.nanoTime() < deadline && closing.stream().anyMatch(connection -> connection.pendingFrames() > 0)) {
                Thread.sleep(10);
            }
            if (!closing.isEmpty()) {
                // The close frame follows the last completion on the sending thread: let it go out.
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Closes every connection of a user on this node: signed in as that id, or a presence member with
     * it. 4009 keeps clients from reconnecting straight back.
     * @return how many were closed
     */
    public int terminateUser(App app, String userId) {
        int closed = 0;
        for (Connection connection : connections(app)) {
            boolean match = userId.equals(connection.userId());
            if (!match) {
                for (Member member : connection.subscriptions().values()) {
                    if (member != Connection.NOT_PRESENCE && userId.equals(member.userKey())) {
                        match = true;
                        break;
                    }
                }
            }
            if (match) {
                terminate(connection, PusherError.TERMINATED, true);
                closed++;
            }
        }
        return closed;
    }

    /** Connections per app id on this node, for re-reporting to the cluster. */
    public Map<String, Integer> connectionCounts() {
        Map<String, Integer> counts = new java.util.HashMap<>();
        connections.forEach((appId, appConnections) -> counts.put(appId, appConnections.bySocketId.size()));
        return counts;
    }

    public int connectionCount() {
        int total = 0;
        for (AppConnections appConnections : connections.values()) {
            total += appConnections.bySocketId.size();
        }
        return total;
    }
}
