package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.app.App;
import dev.chorus.broadcast.Membership;
import dev.chorus.connection.Connection;
import dev.chorus.protocol.ChannelKind;
import dev.chorus.protocol.EncodedFrame;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.InboundFrame;
import dev.chorus.protocol.InboundFrame.MalformedFrameException;
import dev.chorus.protocol.Json;
import dev.chorus.protocol.PusherError;
import dev.chorus.protocol.Signer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code pusher:signin}: verifies the app's signature over {@code user_data}, makes the connection the
 * user's (its {@code #server-to-user-} channel, the user index), and, with watchlist events on, counts
 * the user online and answers its watchlist's current status.
 * <p>Threading: called on the connection's inbound thread; the connection may close on another thread
 * meanwhile, and what was taken for it then is taken back here or by the close, whichever comes second.
 */
final class SignIn {
    private final Membership membership;
    private final ConnectionRegistry registry;
    private final Watchlists watchlists;

    SignIn(Membership membership, ConnectionRegistry registry, Watchlists watchlists) {
        this.membership = membership;
        this.registry = registry;
        this.watchlists = watchlists;
    }

    void handle(Connection connection, InboundFrame frame) throws MalformedFrameException {
        if (frame.data() == null || !frame.data().isObject()) {
            throw new MalformedFrameException("signin without data");
        }
        String auth = frame.dataString("auth");
        String userData = frame.dataString("user_data");
        App app = connection.app();
        if (userData == null || !new Signer(app.secret()).verifyUserAuth(app.key(), connection.socketId(), userData, auth)) {
            refuse(connection, PusherError.UNAUTHORIZED);
            return;
        }
        SignedUser user = SignedUser.of(userData);
        if (user == null) {
            refuse(connection, PusherError.UNAUTHORIZED);
            return;
        }
        boolean watchlistEvents = app.features().watchlistEvents();
        if (watchlistEvents && user.watchlistTooLong()) {
            // Refused like any other bad sign-in: the app's own server signed something Pusher would refuse.
            refuse(connection, PusherError.WATCHLIST_TOO_LONG);
            return;
        }
        String userId = user.id();
        String previous = connection.userId();
        boolean replacing = previous != null && !previous.equals(userId);
        if (replacing) {
            String old = ChannelKind.serverToUser(previous);
            if (connection.subscriptions().remove(old) != null) {
                membership.unsubscribe(app, old, connection, Connection.NOT_PRESENCE);
            }
        }
        // Indexed before the connection shows the id, so a close that sees the id finds the entry.
        registry.indexUser(connection, userId);
        connection.userId(userId);
        if (replacing) {
            registry.forgetUser(connection, previous);
        }
        String userChannel = ChannelKind.serverToUser(userId);
        if (!connection.subscriptions().containsKey(userChannel)) {
            membership.subscribe(app, userChannel, connection, Connection.NOT_PRESENCE);
            connection.subscriptions().put(userChannel, Connection.NOT_PRESENCE);
            if (connection.isClosed()) {
                membership.unsubscribe(app, userChannel, connection, Connection.NOT_PRESENCE);
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

    private static void refuse(Connection connection, PusherError error) {
        connection.send(error.frame());
        connection.closeAfterFlush(error.code(), error.message());
    }

    /**
     * What a sign-in's {@code user_data} says: the id, and the distinct ids it watches (empty: none).
     * @param watchlistTooLong over {@link Frames#MAX_WATCHLIST} entries (then {@code watchlist} is not read)
     */
    record SignedUser(String id, List<String> watchlist, boolean watchlistTooLong) {
        /** @return null when {@code user_data} names no usable id */
        static SignedUser of(String userData) {
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
                Set<String> ids = new LinkedHashSet<>();
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
    }
}
