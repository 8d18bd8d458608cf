package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.app.StaticAppRegistry;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.PusherError;
import dev.chorus.protocol.Signer;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.Envelope;
import dev.chorus.testing.RecordingRelay;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The watchlist (issue 14 §3) on one node, frame by frame. */
class WatchlistTest {
    private static final App BASE = TestApps.app().clientEventRate(0).maxPendingFrames(100).build();

    private final Signer signer = new Signer("secret");
    /** Records what this node tells the others. */
    private final RecordingRelay relay = new RecordingRelay("test");
    private PusherServer server = serverFor(BASE);

    private PusherServer serverFor(App app) {
        return new PusherServer(new StaticAppRegistry(List.of(app)), Broadcasting.of(relay, ClusterState.NONE),
                FrameLog.SILENT);
    }

    private record Client(Connection connection, RecordingTransport transport) {
        List<String> take() {
            return transport.take();
        }
    }

    private Client open() {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = server.open(transport, "key", null, "7");
        assertNotNull(connection);
        transport.take();
        return new Client(connection, transport);
    }

    private static String userData(String userId, List<String> watchlist) {
        String list = watchlist == null ? "" : ",\"watchlist\":["
                + watchlist.stream().map(id -> "\"" + id + "\"").collect(Collectors.joining(",")) + "]";
        return "{\"id\":\"" + userId + "\"" + list + "}";
    }

    /** Signs in and returns the frames answered (signin_success first). */
    private List<String> signin(Client client, String userId, List<String> watchlist) {
        String userData = userData(userId, watchlist);
        server.message(client.connection(), "{\"event\":\"pusher:signin\",\"data\":{\"user_data\":\""
                + userData.replace("\"", "\\\"") + "\",\"auth\":\""
                + signer.userAuth("key", client.connection().socketId(), userData) + "\"}}");
        return client.take();
    }

    private static String online(String... ids) {
        return Frames.watchlistEvents(List.of(ids), List.of());
    }

    private static String offline(String... ids) {
        return Frames.watchlistEvents(List.of(), List.of(ids));
    }

    @Test
    void theWatchlistEventsFrameIsPushersExactShape() {
        assertEquals("{\"event\":\"pusher_internal:watchlist_events\",\"data\":\"{\\\"events\\\":["
                        + "{\\\"name\\\":\\\"online\\\",\\\"user_ids\\\":[\\\"a\\\"]},"
                        + "{\\\"name\\\":\\\"offline\\\",\\\"user_ids\\\":[\\\"b\\\",\\\"c\\\"]}]}\"}",
                Frames.watchlistEvents(List.of("a"), List.of("b", "c")));
    }

    @Test
    void afterSigninSuccessTheConnectionIsToldWhichWatchedUsersAreOnlineAndWhichOffline() {
        Client bob = open();
        signin(bob, "bob", null);
        Client ann = open();
        assertEquals(List.of(Frames.signinSuccess(userData("ann", List.of("bob", "cid", "dee"))),
                        Frames.watchlistEvents(List.of("bob"), List.of("cid", "dee"))),
                signin(ann, "ann", List.of("bob", "cid", "dee")));
    }

    @Test
    void theOnlineEventIsLeftOutWhenNobodyWatchedIsOnlineAndTheOfflineOneWhenEverybodyIs() {
        Client ann = open();
        assertEquals(offline("bob"), signin(ann, "ann", List.of("bob")).get(1));
        Client bob = open();
        signin(bob, "bob", null);
        ann.take();
        Client cid = open();
        assertEquals(List.of(Frames.signinSuccess(userData("cid", List.of("bob"))), online("bob")),
                signin(cid, "cid", List.of("bob")));
    }

    @Test
    void aSigninWithoutAWatchlistGetsOnlySigninSuccess() {
        Client ann = open();
        assertEquals(List.of(Frames.signinSuccess(userData("ann", null))), signin(ann, "ann", null));
        Client bob = open();
        assertEquals(List.of(Frames.signinSuccess(userData("bob", List.of()))), signin(bob, "bob", List.of()));
    }

    @Test
    void watchersHearOnlineOnTheUsersFirstConnectionOnly() {
        Client ann = open();
        signin(ann, "ann", List.of("bob"));
        Client bob1 = open();
        signin(bob1, "bob", null);
        assertEquals(List.of(online("bob")), ann.take());
        Client bob2 = open();
        signin(bob2, "bob", null);
        assertEquals(List.of(), ann.take(), "a user on two tabs is one user");
    }

    @Test
    void watchersHearOfflineWhenTheUsersLastConnectionClosesOnly() {
        Client ann = open();
        signin(ann, "ann", List.of("bob"));
        Client bob1 = open();
        signin(bob1, "bob", null);
        Client bob2 = open();
        signin(bob2, "bob", null);
        ann.take();
        server.closed(bob1.connection());
        assertEquals(List.of(), ann.take(), "bob still has a signed-in connection");
        server.closed(bob2.connection());
        assertEquals(List.of(offline("bob")), ann.take());
        server.closed(bob2.connection());
        assertEquals(List.of(), ann.take(), "a close is counted once");
    }

    @Test
    void onlySignedInConnectionsCountNotPresenceOrPlainSockets() {
        Client ann = open();
        signin(ann, "ann", List.of("bob"));
        Client bob = open();
        String channelData = "{\"user_id\":\"bob\"}";
        server.message(bob.connection(), "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"presence-room\",\"auth\":\""
                + signer.channelAuth("key", bob.connection().socketId(), "presence-room", channelData)
                + "\",\"channel_data\":\"" + channelData.replace("\"", "\\\"") + "\"}}");
        assertTrue(bob.take().get(0).contains("subscription_succeeded"));
        assertEquals(List.of(), ann.take(), "a presence member is not signed in");
        server.closed(bob.connection());
        assertEquals(List.of(), ann.take());
    }

    @Test
    void aConnectionSigningInAsAnotherIdTakesTheOldUserOffline() {
        Client ann = open();
        signin(ann, "ann", List.of("bob", "cid"));
        Client bob = open();
        signin(bob, "bob", null);
        assertEquals(List.of(online("bob")), ann.take());
        signin(bob, "cid", null);
        assertEquals(List.of(online("cid"), offline("bob")), ann.take());
    }

    @Test
    void aClosedWatcherIsNoLongerTold() {
        Client ann = open();
        signin(ann, "ann", List.of("bob"));
        server.closed(ann.connection());
        ann.take();
        Client bob = open();
        signin(bob, "bob", null);
        assertEquals(List.of(), ann.take());
    }

    @Test
    void aNewSigninReplacesTheWatchlist() {
        Client ann = open();
        signin(ann, "ann", List.of("bob"));
        assertEquals(List.of(Frames.signinSuccess(userData("ann", List.of("cid"))), offline("cid")),
                signin(ann, "ann", List.of("cid")));
        Client bob = open();
        signin(bob, "bob", null);
        assertEquals(List.of(), ann.take(), "bob is not watched any more");
    }

    @Test
    void aWatchlistOfOneHundredIdsIsAcceptedAndOneMoreIsRefusedNamingTheLimit() {
        List<String> hundred = IntStream.range(0, 100).mapToObj(i -> "u" + i).toList();
        Client ann = open();
        List<String> frames = signin(ann, "ann", hundred);
        assertEquals(Frames.watchlistEvents(List.of(), hundred), frames.get(1));

        List<String> tooMany = IntStream.range(0, 101).mapToObj(i -> "u" + i).toList();
        Client bob = open();
        assertEquals(List.of(PusherError.WATCHLIST_TOO_LONG.frame()), signin(bob, "bob", tooMany));
        assertEquals(4009, bob.transport().closeCode());
        assertTrue(PusherError.WATCHLIST_TOO_LONG.message().contains("100"), PusherError.WATCHLIST_TOO_LONG.message());
        Client cid = open();
        assertEquals(offline("bob"), signin(cid, "cid", List.of("bob")).get(1), "a refused sign-in is not online");
    }

    @Test
    void aRefusedSigninIsNotCountedOnline() {
        Client ann = open();
        signin(ann, "ann", List.of("bob"));
        ann.take();
        Client bob = open();
        signin(bob, "bob", IntStream.range(0, 101).mapToObj(i -> "u" + i).toList());
        assertEquals(List.of(), ann.take());
    }

    @Test
    void withTheSettingOffAWatchlistIsIgnoredAndNothingIsCounted() {
        server = serverFor(BASE.withFeatures(new App.Features(false, false)));
        Client ann = open();
        assertEquals(List.of(Frames.signinSuccess(userData("ann", List.of("bob")))), signin(ann, "ann", List.of("bob")));
        Client bob = open();
        List<String> tooMany = IntStream.range(0, 101).mapToObj(i -> "u" + i).toList();
        assertEquals(List.of(Frames.signinSuccess(userData("bob", tooMany))), signin(bob, "bob", tooMany),
                "no watchlist, no limit");
        assertEquals(List.of(), ann.take());
        assertEquals(List.of(), relay.sent, "the cluster is not told of signed-in users");
    }

    @Test
    void theSettingIsOnByDefault() {
        assertTrue(App.Features.DEFAULTS.watchlistEvents());
    }

    @Test
    void theOtherNodesAreToldOfTheFirstAndLastSignedInConnection() {
        Client bob1 = open();
        signin(bob1, "bob", null);
        Client bob2 = open();
        signin(bob2, "bob", null);
        server.closed(bob1.connection());
        server.closed(bob2.connection());
        assertEquals(List.of(Envelope.userStatus("test", "1", "bob", true), Envelope.userStatus("test", "1", "bob", false)),
                relay.sent);
    }

    @Test
    void aStatusRelayedFromAnotherNodeReachesOnlyThisNodesWatchersOfThatUser() {
        Client ann = open();
        signin(ann, "ann", List.of("bob"));
        Client cid = open();
        signin(cid, "cid", List.of("dee"));
        server.userStatusRelayed(BASE, "bob", true);
        server.userStatusRelayed(BASE, "bob", false);
        assertEquals(List.of(online("bob"), offline("bob")), ann.take());
        assertEquals(List.of(), cid.take());
    }
}
