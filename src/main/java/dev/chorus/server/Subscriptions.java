package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.app.App;
import dev.chorus.broadcast.Broadcaster;
import dev.chorus.broadcast.Membership;
import dev.chorus.broadcast.Occupancy;
import dev.chorus.channel.ChannelRegistry;
import dev.chorus.channel.Member;
import dev.chorus.connection.Connection;
import dev.chorus.protocol.ChannelKind;
import dev.chorus.protocol.EncodedFrame;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.InboundFrame;
import dev.chorus.protocol.InboundFrame.MalformedFrameException;
import dev.chorus.protocol.Json;
import dev.chorus.protocol.PusherError;
import dev.chorus.protocol.Signer;
import dev.chorus.protocol.Webhooks;
import dev.chorus.webhook.WebhookEmitter;

/**
 * {@code pusher:subscribe} and {@code pusher:unsubscribe}: public, private, presence and cache channels,
 * and the confirmation of a signed-in user's own {@code #server-to-user-} channel. On the hot path:
 * nothing here is allocated per subscriber of the channel, only per subscribe.
 * <p>Threading: frames of one connection come one at a time, but the connection may close on another
 * thread at any point; every step that makes the subscription the connection's checks for that
 * afterwards and takes itself back, so a closed connection is left in no channel and no roster.
 */
final class Subscriptions {
    private final Broadcaster broadcaster;
    private final Membership membership;
    private final Occupancy occupancy;
    private final WebhookEmitter webhooks;
    private final ConnectionRegistry registry;

    /** @param webhooks told of cache misses */
    Subscriptions(Broadcaster broadcaster, Membership membership, Occupancy occupancy, WebhookEmitter webhooks,
                  ConnectionRegistry registry) {
        this.broadcaster = broadcaster;
        this.membership = membership;
        this.occupancy = occupancy;
        this.webhooks = webhooks;
        this.registry = registry;
    }

    void subscribe(Connection connection, InboundFrame frame) throws MalformedFrameException {
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
            error(connection, channel, "InvalidChannel", "Invalid channel name", 400);
            return;
        }
        if (!kind.subscribable()) {
            error(connection, channel, "AuthError", "Channel is reserved for signed-in users", 403);
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
                error(connection, channel, "AuthError", "Invalid signature", 401);
                return;
            }
        }
        Member member = Connection.NOT_PRESENCE;
        if (kind.presence()) {
            member = presenceMember(channelData);
            if (member == null) {
                error(connection, channel, "AuthError", "channel_data must be a JSON object with a string or number user_id", 400);
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
        if (join(connection, channel, kind, member) && kind.cached()) {
            String cached = occupancy.cached(app, channel);
            if (cached != null) {
                connection.send(cached);
            } else {
                connection.send(Frames.cacheMiss(channel));
                webhooks.emit(app, Webhooks.channelEvent(Webhooks.CACHE_MISS, channel));
            }
        }
    }

    /**
     * Joins the channel and confirms it. What the channel delivers from the moment of joining waits
     * until the confirmation has gone.
     * @return true when the connection is subscribed (now or already)
     */
    private boolean join(Connection connection, String channel, ChannelKind kind, Member member) {
        App app = connection.app();
        connection.hold();
        EncodedFrame confirmation = null;
        Membership.Joined joined = null;
        try {
            joined = membership.subscribe(app, channel, connection, member);
            ChannelRegistry.Subscribed result = joined.local();
            if (result.channelsFull()) {
                confirmation = EncodedFrame.of(Frames.tooManyChannels(channel, app.limits().maxChannels()));
                return false;
            }
            if (result.rosterFull()) {
                // Only the channel failed, not the connection: no pusher:error, which clients may treat as fatal.
                confirmation = EncodedFrame.of(Frames.presenceFull(channel));
                return false;
            }
            if (!result.alreadySubscribed()) {
                // member_added goes out before the subscription is the connection's, so closed() (on another
                // thread) can only take it back after the members heard of the user: member_removed never
                // comes without its member_added. Others hear of the newcomer before it hears it is in, as
                // Reverb does: anyone who subscribes after this confirmation finds it in their roster.
                if (joined.firstForUser()) {
                    if (connection.isClosed()) {
                        // Closed before anyone heard of the user: take it back without a word.
                        membership.unsubscribe(app, channel, connection, member, false);
                        return false;
                    }
                    broadcaster.publishMember(app, channel, Frames.memberAdded(channel, member.userIdJson(), member.userInfoJson()),
                            connection.socketId(), joined.added());
                }
                if (kind.presence()) {
                    registry.indexUser(connection, member.userKey());
                }
                connection.subscriptions().put(channel, member);
                if (connection.isClosed()) {
                    // Closed while we subscribed: take it back so nothing is left behind.
                    if (connection.subscriptions().remove(channel, member)) {
                        leave(connection, channel, member);
                    }
                    return false;
                }
            }
            confirmation = EncodedFrame.of(Frames.subscriptionSucceeded(channel, kind.presence() ? joined.presenceData() : "{}"));
            return true;
        } finally {
            if (joined != null && kind.presence() && confirmation != null && !joined.local().alreadySubscribed()
                    && joined.presenceData() != null) {
                // From here on, member frames this roster has, or about this user, are not the connection's.
                connection.release(confirmation, channel, member.userKey(), joined.rosterVersion());
            } else {
                connection.release(confirmation);
            }
        }
    }

    void unsubscribe(Connection connection, InboundFrame frame) throws MalformedFrameException {
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
        membership.unsubscribe(connection.app(), channel, connection, member);
        if (member != Connection.NOT_PRESENCE) {
            registry.forgetUser(connection, member.userKey());
            connection.forgetRoster(channel);
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

    /** The subscribe fails, and the client is told with the Pusher error it expects alongside. */
    private static void error(Connection connection, String channel, String type, String message, int status) {
        connection.send(Frames.subscriptionError(channel, type, message, status));
        connection.send(PusherError.UNAUTHORIZED.frame());
    }
}
