package dev.chorus.server;

import static dev.chorus.testing.ClientFrames.signin;
import static dev.chorus.testing.ClientFrames.signinWithAuth;
import static dev.chorus.testing.ClientFrames.userData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.broadcast.Broadcaster;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.InboundFrame;
import dev.chorus.protocol.PusherError;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.LocalRelay;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SignInTest {
    private final Broadcasting broadcasting = Broadcasting.of(new LocalRelay("test"), ClusterState.NONE);
    private final Broadcaster broadcaster = broadcasting.broadcaster();
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final Watchlists watchlists = new Watchlists(broadcasting.membership(), broadcasting.occupancy());
    private final SignIn signIn = new SignIn(broadcasting.membership(), registry, watchlists);
    private App app = TestApps.app().build();

    private Connection open(RecordingTransport transport) {
        Connection connection = new Connection("1." + registry.reserve(app), app, transport, FrameLog.SILENT, () -> { });
        registry.add(connection);
        return connection;
    }

    private void signIn(Connection connection, String userData) throws Exception {
        signIn.handle(connection, InboundFrame.parse(signin(connection.socketId(), userData)));
    }

    @Test
    void aSignedSignInJoinsTheUsersOwnChannelAndIndexesTheUser() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        signIn(connection, userData("ann", List.of()));
        assertEquals(List.of(Frames.signinSuccess(userData("ann", List.of()))), transport.frames());
        assertEquals("ann", connection.userId());
        assertTrue(connection.subscriptions().containsKey("#server-to-user-ann"));
        assertEquals(1, broadcaster.channels(app).find("#server-to-user-ann").subscriptionCount());
        assertEquals(List.of(connection), registry.withUser(app, "ann"));
    }

    @Test
    void aBadSignatureIsAnsweredWith4009AndTheSocketClosedAfterIt() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(transport);
        signIn.handle(connection, InboundFrame.parse(signinWithAuth(userData("ann", List.of()), "key:bad")));
        assertEquals(List.of(PusherError.UNAUTHORIZED.frame()), transport.frames());
        assertEquals(4009, transport.closeCode());
        assertNull(connection.userId());
        assertEquals(0, registry.indexedUsers(app));
    }

    @Test
    void signedUserDataWithoutAnIdIsRefusedLikeABadSignature() throws Exception {
        RecordingTransport transport = new RecordingTransport();
        signIn(open(transport), "{\"name\":\"no id\"}");
        assertEquals(List.of(PusherError.UNAUTHORIZED.frame()), transport.frames());
        assertEquals(4009, transport.closeCode());
    }

    @Test
    void signingInAsAnotherUserLeavesTheFirstUsersChannelAndIndexEntry() throws Exception {
        Connection connection = open(new RecordingTransport());
        signIn(connection, userData("ann", List.of()));
        signIn(connection, userData("bob", List.of()));
        assertFalse(connection.subscriptions().containsKey("#server-to-user-ann"));
        assertTrue(connection.subscriptions().containsKey("#server-to-user-bob"));
        assertEquals(List.of(), registry.withUser(app, "ann"));
        assertEquals(List.of(connection), registry.withUser(app, "bob"));
        assertEquals(1, registry.indexedUsers(app));
    }

    @Test
    void aWatchlistIsAnsweredWithItsCurrentStatusRightAfterSigninSuccess() throws Exception {
        signIn(open(new RecordingTransport()), userData("bob", List.of()));
        RecordingTransport transport = new RecordingTransport();
        signIn(open(transport), userData("ann", List.of("bob", "carol")));
        assertEquals(List.of(Frames.signinSuccess(userData("ann", List.of("bob", "carol"))),
                Frames.watchlistEvents(List.of("bob"), List.of("carol"))), transport.frames());
    }

    @Test
    void aWatcherHearsWhenAWatchedUserSignsInAndWhenTheirLastConnectionCloses() throws Exception {
        RecordingTransport annTransport = new RecordingTransport();
        signIn(open(annTransport), userData("ann", List.of("bob")));
        annTransport.take();
        Connection bob = open(new RecordingTransport());
        signIn(bob, userData("bob", List.of()));
        assertEquals(List.of(Frames.watchlistEvents(List.of("bob"), List.of())), annTransport.take());
        bob.markClosed();
        watchlists.closed(bob);
        assertEquals(List.of(Frames.watchlistEvents(List.of(), List.of("bob"))), annTransport.take());
    }

    @Test
    void aWatchlistOverTheLimitIsRefusedWhileWatchlistEventsAreOnAndIgnoredWhenOff() throws Exception {
        List<String> tooMany = IntStream.range(0, Frames.MAX_WATCHLIST + 1).mapToObj(i -> "u" + i).toList();
        RecordingTransport refused = new RecordingTransport();
        signIn(open(refused), userData("ann", tooMany));
        assertEquals(List.of(PusherError.WATCHLIST_TOO_LONG.frame()), refused.frames());
        assertEquals(PusherError.WATCHLIST_TOO_LONG.code(), refused.closeCode());

        app = app.withFeatures(new App.Features(false, false));
        RecordingTransport ignored = new RecordingTransport();
        signIn(open(ignored), userData("ann", tooMany));
        assertEquals(List.of(Frames.signinSuccess(userData("ann", tooMany))), ignored.frames());
        assertEquals(-1, ignored.closeCode());
    }

    @Test
    void aConnectionClosedBeforeItsSignInIsLeftInNoChannelAndNoIndex() throws Exception {
        Connection connection = open(new RecordingTransport());
        connection.markClosed();
        registry.remove(connection);
        signIn(connection, userData("ann", List.of()));
        assertNull(broadcaster.channels(app).find("#server-to-user-ann"));
        assertEquals(0, registry.indexedUsers(app));
    }
}
