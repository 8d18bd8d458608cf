package dev.chorus.connection;

import dev.chorus.app.App;
import dev.chorus.channel.Member;
import dev.chorus.channel.Subscriber;
import dev.chorus.protocol.ChannelKind;
import dev.chorus.protocol.EncodedFrame;
import dev.chorus.protocol.RosterChange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client socket: its id, app, subscriptions, signed-in user, liveness clock and outbound queue.
 * <p>Threading: inbound frames of one connection arrive one at a time (the WebSocket container
 * guarantees it), but {@link #send} is called by any fan-out thread and {@link #markClosed} may race
 * with an inbound frame (liveness, overflow, terminate), so shared state is concurrent and closing is
 * decided once by compare-and-set.
 */
public final class Connection implements Subscriber {
    private final String socketId;
    private final App app;
    private final Transport transport;
    private final Outbound outbound;
    private final FrameLog log;
    /** Channel name → presence member (or {@link #NOT_PRESENCE}); closing walks only these. */
    private final Map<String, Member> subscriptions = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long openedNanos = System.nanoTime();
    private volatile long lastSeenNanos = openedNanos;
    private volatile long pingSentNanos;
    private volatile String userId;
    private volatile String closeReason = "client";
    private long rateWindowStartNanos;
    private int rateWindowCount;
    private final InboundLimit inbound;

    /** Placeholder value for subscriptions without a presence member (maps cannot hold null). */
    public static final Member NOT_PRESENCE = new Member("", "null", null);

    private final Object holding = new Object();
    /** Frames waiting for a subscription's confirmation; null (almost always) when none is pending. */
    private volatile List<EncodedFrame> held;
    /**
     * Presence channel → the roster this connection was sent: member frames it already has, or about its own
     * user, are not for it. Guarded by {@code holding}, where the confirmation goes out, so a frame checked
     * before the roster was known is never sent after it. At most one entry per subscribed channel.
     */
    private final Map<String, RosterSent> rosters = new HashMap<>();

    /** The roster a presence subscription was confirmed with: whose connection, at which roster version. */
    private record RosterSent(String userKey, long version) {
    }

    public Connection(String socketId, App app, Transport transport, FrameLog log, Runnable onOverflow) {
        this.socketId = socketId;
        this.app = app;
        this.transport = transport;
        this.log = log;
        this.outbound = new Outbound(transport, app.maxPendingFrames(), onOverflow, () -> transport.close(1011, "Send failed"));
        this.inbound = new InboundLimit(app.limits().inboundRate(), app.limits().inboundBurst(), openedNanos);
    }

    @Override
    public String socketId() {
        return socketId;
    }

    public App app() {
        return app;
    }

    /** A frame for this connection alone (replies, errors, pings). */
    public void send(String frame) {
        send(EncodedFrame.of(frame));
    }

    @Override
    public void send(EncodedFrame frame) {
        if (frame.change() != null) {
            sendMember(List.of(frame));
            return;
        }
        if (held != null && hold(List.of(frame))) {
            return;
        }
        log.outbound(socketId, frame.text());
        outbound.offer(frame);
    }

    @Override
    public void send(List<EncodedFrame> frames) {
        for (EncodedFrame frame : frames) {
            if (frame.change() != null) {
                sendMember(frames);
                return;
            }
        }
        if (held != null && hold(frames)) {
            return;
        }
        offerAll(frames);
    }

    /** Frames among which are presence member frames: held, or sent less those that are no news to this connection. */
    private void sendMember(List<EncodedFrame> frames) {
        synchronized (holding) {
            if (held != null) {
                held.addAll(frames);
                return;
            }
            List<EncodedFrame> news = new ArrayList<>(frames);
            news.removeIf(this::noNews);
            if (!news.isEmpty()) {
                offerAll(news);
            }
        }
    }

    /** Under {@code holding}: a member frame whose change this connection's roster of that channel has, or about its own user. */
    private boolean noNews(EncodedFrame frame) {
        RosterChange change = frame.change();
        if (change == null) {
            return false;
        }
        RosterSent sent = rosters.get(change.channel());
        return sent != null && change.staleFor(sent.userKey(), sent.version());
    }

    private void offerAll(List<EncodedFrame> frames) {
        for (EncodedFrame frame : frames) {
            log.outbound(socketId, frame.text());
        }
        outbound.offerAll(frames);
    }

    /**
     * From now until {@link #release}, frames sent to this connection wait: a channel it has just joined
     * can deliver (a local publish, or a relayed member_added from another node) before the connection
     * is told it is subscribed, and clients expect {@code subscription_succeeded} first. Called by the
     * connection's own message thread, one subscription at a time.
     */
    public void hold() {
        synchronized (holding) {
            held = new ArrayList<>(0);
        }
    }

    /**
     * Sends {@code first} (null: nothing), then whatever waited since {@link #hold}, in order, less member
     * frames that are no news to this connection. Senders that arrive meanwhile wait on the lock and then
     * find nothing held, so they come after both.
     */
    public void release(EncodedFrame first) {
        synchronized (holding) {
            List<EncodedFrame> waiting = held;
            if (first != null) {
                offerAll(List.of(first));
            }
            if (waiting != null && !waiting.isEmpty()) {
                waiting.removeIf(this::noNews);
                offerAll(waiting);
            }
            held = null;
        }
    }

    /**
     * As {@link #release(EncodedFrame)} for a new presence subscription confirmed with the roster at
     * {@code rosterVersion}: from now on member frames of {@code channel} that roster has (also those held
     * meanwhile), or about {@code userKey}, this connection's own user, are not sent to it.
     */
    public void release(EncodedFrame first, String channel, String userKey, long rosterVersion) {
        synchronized (holding) {
            rosters.put(channel, new RosterSent(userKey, rosterVersion));
            release(first);
        }
    }

    /** The connection left a presence channel: nothing is filtered for it any more. */
    public void forgetRoster(String channel) {
        synchronized (holding) {
            rosters.remove(channel);
        }
    }

    private boolean hold(List<EncodedFrame> frames) {
        synchronized (holding) {
            if (held == null) {
                return false;
            }
            held.addAll(frames);
            return true;
        }
    }

    /** Sends what is queued, then closes the socket with this code. */
    public void closeAfterFlush(int code, String reason) {
        outbound.closeAfterFlush(code, reason, NOTHING);
    }

    /**
     * As {@link #closeAfterFlush(int, String)}; {@code closing} runs once the transport has been asked to
     * close (its queued frames written), or at once if the connection's queue ends some other way first
     * (overflow, a failed send, {@link #closeNow}). A send that never completes delays it indefinitely.
     */
    public void closeAfterFlush(int code, String reason, Runnable closing) {
        outbound.closeAfterFlush(code, reason, closing);
    }

    private static final Runnable NOTHING = () -> { };

    /** Closes at once, dropping queued frames (a consumer that cannot keep up gets nothing more). */
    public void closeNow(int code, String reason) {
        outbound.abandon();
        transport.close(code, reason);
    }

    /** True exactly once: for the caller that gets to clean this connection up. */
    public boolean markClosed() {
        return closed.compareAndSet(false, true);
    }

    public boolean isClosed() {
        return closed.get();
    }

    public Map<String, Member> subscriptions() {
        return subscriptions;
    }

    /** Why the server closed it (for metrics); "client" when the client or the network did. */
    public String closeReason() {
        return closeReason;
    }

    public void closeReason(String reason) {
        this.closeReason = reason;
    }

    public String userId() {
        return userId;
    }

    public void userId(String userId) {
        this.userId = userId;
    }

    /**
     * Any inbound text frame, or a pong that answers our ping, proves the peer alive. An unsolicited
     * WebSocket ping does not: a client that never reads could otherwise stay forever by pinging.
     */
    public void touch() {
        lastSeenNanos = System.nanoTime();
        pingSentNanos = 0;
    }

    public long lastSeenNanos() {
        return lastSeenNanos;
    }

    public long pingSentNanos() {
        return pingSentNanos;
    }

    /** Sends a Pusher ping and a WebSocket ping: any Pusher client answers one, any WebSocket client the other. */
    public void ping(String pingFrame, long nowNanos) {
        pingSentNanos = nowNanos;
        send(pingFrame);
        transport.ping();
    }

    /**
     * Fixed one-second window per connection. Called only from the connection's inbound thread.
     * @return false when this client event exceeds the app's rate
     */
    public boolean allowClientEvent(long nowNanos) {
        int limit = app.clientEventRate();
        if (limit == 0) {
            return true;
        }
        if (nowNanos - rateWindowStartNanos >= 1_000_000_000L) {
            rateWindowStartNanos = nowNanos;
            rateWindowCount = 0;
        }
        return ++rateWindowCount <= limit;
    }

    /**
     * The inbound frame-rate limit ({@code inbound_rate_limit}, {@code inbound_burst}) for one frame of
     * any kind. Called only from the connection's inbound thread.
     */
    public InboundLimit.Verdict admitInbound(long nowNanos) {
        return inbound.admit(nowNanos);
    }

    /** Lets the transport close the socket when a write has been stuck longer than it allows. */
    public void checkWrite(long nowNanos) {
        transport.checkWrite(nowNanos);
    }

    /**
     * Subscriptions that count against {@code max_channels_per_connection}: the sign-in's
     * {@code #server-to-user-} channel belongs to the sign-in, not to the client's choices.
     */
    public int countedSubscriptions() {
        int count = subscriptions.size();
        String user = userId;
        if (user != null && subscriptions.containsKey(ChannelKind.serverToUser(user))) {
            count--;
        }
        return count;
    }

    public int pendingFrames() {
        return outbound.pending();
    }

    @Override
    public String toString() {
        return socketId;
    }
}
