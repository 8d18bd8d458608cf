package dev.chorus.testing;

import dev.chorus.app.App;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.broadcast.Membership;
import dev.chorus.channel.Member;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.protocol.EncodedFrame;
import dev.chorus.protocol.Frames;
import java.util.List;

/**
 * A browser tab on one node: a real {@link Connection} over a {@link RecordingTransport}, subscribed to
 * presence channels the way the server does it (held while joining, announced when new to the channel,
 * released with its roster), so what the tab is sent is what a client would read.
 */
public final class PresenceTab {
    private final RecordingTransport transport = new RecordingTransport();
    private final Connection connection;
    private final App app;

    public PresenceTab(String socketId, App app) {
        this.app = app;
        this.connection = new Connection(socketId, app, transport, FrameLog.SILENT, () -> { });
    }

    public Connection connection() {
        return connection;
    }

    /** Joins as {@code member}; its {@code member_added}, when it is new to the channel, goes out after the join returns. */
    public Membership.Joined join(Broadcasting node, String channel, Member member) {
        Membership.Joined joined = hold(node, channel, member);
        announce(node, channel, member, joined);
        confirm(channel, member, joined);
        return joined;
    }

    /** The first half of a join: subscribed and holding, nothing announced or confirmed yet. */
    public Membership.Joined hold(Broadcasting node, String channel, Member member) {
        connection.hold();
        return node.membership().subscribe(app, channel, connection, member);
    }

    /** Tells every node of the user, when the join made them new to the channel. */
    public void announce(Broadcasting node, String channel, Member member, Membership.Joined joined) {
        if (joined.firstForUser()) {
            node.broadcaster().publishMember(app, channel, Frames.memberAdded(channel, member.userIdJson(),
                    member.userInfoJson()), connection.socketId(), joined.added());
        }
    }

    /** Sends {@code subscription_succeeded} with the roster, then what waited. */
    public void confirm(String channel, Member member, Membership.Joined joined) {
        connection.release(EncodedFrame.of(Frames.subscriptionSucceeded(channel, joined.presenceData())), channel,
                member.userKey(), joined.rosterVersion());
    }

    /** Leaves the channel as the server does. */
    public void leave(Broadcasting node, String channel, Member member) {
        node.membership().unsubscribe(app, channel, connection, member);
        connection.forgetRoster(channel);
    }

    /** Everything sent so far. */
    public List<String> frames() {
        return transport.frames();
    }

    /** The member_added and member_removed frames sent so far. */
    public List<String> memberFrames() {
        return transport.frames().stream().filter(frame -> frame.contains("pusher_internal:member_")).toList();
    }
}
