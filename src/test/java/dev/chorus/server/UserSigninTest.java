package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.app.StaticAppRegistry;
import dev.chorus.broadcast.Broadcaster;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.PusherError;
import dev.chorus.protocol.Signer;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.LocalRelay;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.util.List;
import org.junit.jupiter.api.Test;

/** pusher-js's own subscribe to {@code #server-to-user-<id>} after sign-in, and presence member size bounds (issue 14). */
class UserSigninTest {
    /** 2 channels per connection, so a double count would show; 64 bytes of user_info. */
    private static final App.Limits LIMITS = new App.Limits(2, 0, 1, 100, 10, 1_000, 64);
    private final App app = TestApps.app().clientEventRate(0).maxPendingFrames(100).limits(LIMITS).build();
    private final Broadcasting broadcasting = Broadcasting.of(new LocalRelay("test"), ClusterState.NONE);
    private final Broadcaster broadcaster = broadcasting.broadcaster();
    private final PusherServer server = new PusherServer(new StaticAppRegistry(List.of(app)), broadcasting, FrameLog.SILENT);
    private final Signer signer = new Signer("secret");

    private Connection open(RecordingTransport transport) {
        Connection connection = server.open(transport, "key", null, "7");
        assertNotNull(connection);
        transport.take();
        return connection;
    }

    private static String escaped(String json) {
        return json.replace("\"", "\\\"");
    }

    private String signin(Connection connection, String userId) {
        String userData = "{\"id\":\"" + userId + "\",\"user_info\":{\"name\":\"N\"}}";
        return "{\"event\":\"pusher:signin\",\"data\":{\"user_data\":\"" + escaped(userData) + "\",\"auth\":\""
                + signer.userAuth("key", connection.socketId(), userData) + "\"}}";
    }

    private static String userData(String userId) {
        return "{\"id\":\"" + userId + "\",\"user_info\":{\"name\":\"N\"}}";
    }

    /** Exactly what pusher-js 8 sends: {@code Channel.authorize} answers {@code {auth: ''}} for a channel without a prefix. */
    private static String pusherJsSubscribe(String channel) {
        return "{\"event\":\"pusher:subscribe\",\"data\":{\"auth\":\"\",\"channel\":\"" + channel + "\"}}";
    }

    private static String bareSubscribe(String channel) {
        return "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}";
    }

    private static String reserved(String channel) {
        return Frames.subscriptionError(channel, "AuthError", "Channel is reserved for signed-in users", 403);
    }

    @Test
    void aConnectionSignedInAsTheIdIsConfirmedOnItsOwnUserChannelAndGetsEachEventOnce() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        server.message(connection, signin(connection, "ann"));
        server.message(connection, pusherJsSubscribe("#server-to-user-ann"));
        assertEquals(List.of(Frames.signinSuccess(userData("ann")), Frames.subscriptionSucceeded("#server-to-user-ann", "{}")),
                transport.take());
        server.message(connection, bareSubscribe("#server-to-user-ann"));
        assertEquals(List.of(Frames.subscriptionSucceeded("#server-to-user-ann", "{}")), transport.take(),
                "without auth, and again: confirmed each time");

        assertEquals(1, broadcaster.channels(app).find("#server-to-user-ann").subscriptionCount(), "joined once, by the sign-in");
        broadcaster.publish(app, "#server-to-user-ann", "notice", "\"hi\"", null);
        assertEquals(List.of(Frames.event("notice", "#server-to-user-ann", "\"hi\"")), transport.take());
        assertEquals(-1, transport.closeCode());
    }

    @Test
    void theOwnUserChannelDoesNotCountAgainstMaxChannelsPerConnection() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        server.message(connection, signin(connection, "ann"));
        server.message(connection, pusherJsSubscribe("#server-to-user-ann"));
        server.message(connection, bareSubscribe("a"));
        server.message(connection, bareSubscribe("b"));
        assertEquals(List.of(Frames.signinSuccess(userData("ann")), Frames.subscriptionSucceeded("#server-to-user-ann", "{}"),
                Frames.subscriptionSucceeded("a", "{}"), Frames.subscriptionSucceeded("b", "{}")), transport.take());
        server.message(connection, pusherJsSubscribe("#server-to-user-ann"));
        assertEquals(List.of(Frames.subscriptionSucceeded("#server-to-user-ann", "{}")), transport.take(),
                "at the limit, the own user channel is still confirmed");
    }

    @Test
    void aSubscribeSentBeforeSigninSuccessArrivedIsConfirmedAfterIt() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        // Both frames leave the client before it reads anything: the server handles them in order.
        String signin = signin(connection, "ann");
        String subscribe = pusherJsSubscribe("#server-to-user-ann");
        server.message(connection, signin);
        server.message(connection, subscribe);
        assertEquals(List.of(Frames.signinSuccess(userData("ann")), Frames.subscriptionSucceeded("#server-to-user-ann", "{}")),
                transport.take());
    }

    @Test
    void anIdOutsideTheChannelNameCharactersIsStillConfirmedForItsOwnConnection() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        server.message(connection, signin(connection, "ann smith"));
        server.message(connection, pusherJsSubscribe("#server-to-user-ann smith"));
        assertEquals(List.of(Frames.signinSuccess(userData("ann smith")),
                Frames.subscriptionSucceeded("#server-to-user-ann smith", "{}")), transport.take());
    }

    @Test
    void aConnectionThatIsNotSignedInIsRefusedAndNothingIsCreated() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        server.message(connection, pusherJsSubscribe("#server-to-user-ann"));
        assertEquals(List.of(reserved("#server-to-user-ann"), PusherError.UNAUTHORIZED.frame()), transport.take());
        assertNull(broadcaster.channels(app).find("#server-to-user-ann"));
        assertTrue(connection.subscriptions().isEmpty());
        assertEquals(-1, transport.closeCode());
    }

    @Test
    void aConnectionSignedInAsAnotherIdIsRefusedAndGetsNothingOfThatUser() {
        RecordingTransport annTransport = new RecordingTransport();
        Connection ann = open(annTransport);
        server.message(ann, signin(ann, "ann"));
        RecordingTransport bobTransport = new RecordingTransport();
        Connection bob = open(bobTransport);
        server.message(bob, signin(bob, "bob"));
        bobTransport.take();
        server.message(bob, pusherJsSubscribe("#server-to-user-ann"));
        assertEquals(List.of(reserved("#server-to-user-ann"), PusherError.UNAUTHORIZED.frame()), bobTransport.take());
        assertFalse(bob.subscriptions().containsKey("#server-to-user-ann"));
        assertEquals(1, broadcaster.channels(app).find("#server-to-user-ann").subscriptionCount());

        broadcaster.publish(app, "#server-to-user-ann", "notice", "\"hi\"", null);
        assertTrue(bobTransport.take().isEmpty());
    }

    @Test
    void aSigninAsAnotherIdMovesTheOwnUserChannelWithIt() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        server.message(connection, signin(connection, "ann"));
        server.message(connection, signin(connection, "bob"));
        transport.take();
        server.message(connection, pusherJsSubscribe("#server-to-user-ann"));
        assertEquals(List.of(reserved("#server-to-user-ann"), PusherError.UNAUTHORIZED.frame()), transport.take());
        server.message(connection, pusherJsSubscribe("#server-to-user-bob"));
        assertEquals(List.of(Frames.subscriptionSucceeded("#server-to-user-bob", "{}")), transport.take());
        assertNull(broadcaster.channels(app).find("#server-to-user-ann"), "the old id's channel is gone");
    }

    @Test
    void unsubscribingFromTheOwnUserChannelKeepsTheSigninsMembership() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        server.message(connection, signin(connection, "ann"));
        server.message(connection, pusherJsSubscribe("#server-to-user-ann"));
        server.message(connection, "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"#server-to-user-ann\"}}");
        transport.take();
        broadcaster.publish(app, "#server-to-user-ann", "notice", "\"hi\"", null);
        assertEquals(List.of(Frames.event("notice", "#server-to-user-ann", "\"hi\"")), transport.take());
    }

    private void subscribePresence(Connection connection, String channel, String channelData) {
        String auth = signer.channelAuth("key", connection.socketId(), channel, channelData);
        server.message(connection, "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\""
                + auth + "\",\"channel_data\":\"" + escaped(channelData) + "\"}}");
    }

    @Test
    void aPresenceUserIdOver128CharactersIsRefusedAndNothingIsCreated() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        subscribePresence(connection, "presence-room", "{\"user_id\":\"" + "u".repeat(129) + "\"}");
        assertEquals(List.of("{\"event\":\"pusher:subscription_error\",\"channel\":\"presence-room\",\"data\":{\"type\":\"LimitReached\","
                + "\"error\":\"presence user_id is over 128 characters\",\"status\":400}}"), transport.take());
        assertNull(broadcaster.channels(app).find("presence-room"));
        assertTrue(connection.subscriptions().isEmpty());
        assertEquals(-1, transport.closeCode());

        subscribePresence(connection, "presence-room", "{\"user_id\":\"" + "u".repeat(128) + "\"}");
        assertTrue(transport.last().startsWith("{\"event\":\"pusher_internal:subscription_succeeded\""), "128 is fine");
    }

    @Test
    void aPresenceUserInfoOverTheAppsLimitIsRefusedNamingTheSetting() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        // {"n":"…"} is 8 bytes around the text: 57 characters make 65 bytes, one over 64.
        subscribePresence(connection, "presence-room", "{\"user_id\":1,\"user_info\":{\"n\":\"" + "x".repeat(57) + "\"}}");
        assertEquals(List.of("{\"event\":\"pusher:subscription_error\",\"channel\":\"presence-room\",\"data\":{\"type\":\"LimitReached\","
                + "\"error\":\"presence user_info is over 64 bytes (max_presence_user_info_size)\",\"status\":400}}"), transport.take());
        assertNull(broadcaster.channels(app).find("presence-room"));
        assertEquals(-1, transport.closeCode());

        // Bytes, not characters: 28 two-byte characters are 56 bytes, 64 with the braces: exactly the limit.
        subscribePresence(connection, "presence-room", "{\"user_id\":1,\"user_info\":{\"n\":\"" + "é".repeat(28) + "\"}}");
        assertTrue(transport.last().startsWith("{\"event\":\"pusher_internal:subscription_succeeded\""), transport.last());
    }

    @Test
    void theDefaultUserInfoLimitIsOneKilobyte() {
        assertEquals(1_024, App.Limits.DEFAULTS.maxPresenceUserInfoSize());
    }
}
