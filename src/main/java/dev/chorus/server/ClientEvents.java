package dev.chorus.server;

import dev.chorus.app.App;
import dev.chorus.app.ClientEventPolicy;
import dev.chorus.broadcast.Broadcaster;
import dev.chorus.channel.Member;
import dev.chorus.connection.Connection;
import dev.chorus.protocol.ChannelKind;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.InboundFrame;
import dev.chorus.protocol.InboundFrame.MalformedFrameException;
import dev.chorus.protocol.Json;
import dev.chorus.protocol.PusherError;
import dev.chorus.protocol.Webhooks;
import dev.chorus.webhook.WebhookEmitter;

/**
 * {@code client-*} events: checked against the app's policy, the channel and the connection's rate,
 * then published to the channel's other subscribers (this node and, through the broadcaster, the
 * cluster). The hottest inbound path: one encoding per event, whoever many receive it.
 * <p>Threading: called on the connection's inbound thread, one frame at a time per connection.
 */
final class ClientEvents {
    private final Broadcaster broadcaster;
    private final WebhookEmitter webhooks;

    /** @param webhooks told of client events (only the server sees them) */
    ClientEvents(Broadcaster broadcaster, WebhookEmitter webhooks) {
        this.broadcaster = broadcaster;
        this.webhooks = webhooks;
    }

    void handle(Connection connection, InboundFrame frame) throws MalformedFrameException {
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
        ChannelKind kind = ChannelKind.of(channel);
        if (!ChannelKind.isValidName(channel) || !kind.subscribable()) {
            connection.send(PusherError.INVALID_CHANNEL.frame());
            return;
        }
        if (frame.event().length() > Frames.MAX_EVENT_NAME_LENGTH) {
            connection.send(PusherError.INVALID_FORMAT.frame());
            return;
        }
        if (!kind.acceptsClientEvents()) {
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
            webhooks.emit(app, Webhooks.clientEvent(channel, frame.event(), dataJson, connection.socketId(),
                    userIdJson == null ? null : member.userKey()));
        }
    }
}
