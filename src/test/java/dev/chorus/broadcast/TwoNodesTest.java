package dev.chorus.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.channel.Member;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.Webhooks;
import dev.chorus.protocol.RosterChange;
import dev.chorus.relay.Envelope;
import dev.chorus.testing.InMemoryCluster;
import dev.chorus.testing.PresenceTab;
import dev.chorus.testing.RecordingSubscriber;
import dev.chorus.testing.RecordingWebhooks;
import dev.chorus.testing.TestApps;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two nodes' broadcast roles over one {@link InMemoryCluster}: what the cluster decides once, it decides once. */
class TwoNodesTest {
    private static final App APP = TestApps.app().clientEventRate(0)
            .webhooks(List.of(new App.Webhook(URI.create("http://hooks.test/"), Webhooks.ALL, null))).build()
            .withFeatures(new App.Features(true, true));
    private static final Member NOT_PRESENCE = new Member("", "null", null);
    private static final Member ANN = new Member("ann", "\"ann\"", null);
    private static final Member BOB = new Member("bob", "\"bob\"", null);
    private static final Member CARL = new Member("carl", "\"carl\"", null);
    private static final String ROOM = "presence-room";

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final RecordingWebhooks hooksA = new RecordingWebhooks();
    private final RecordingWebhooks hooksB = new RecordingWebhooks();
    private final Broadcasting a = node("a", hooksA);
    private final Broadcasting b = node("b", hooksB);

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    /** A node whose relay hands what the other node publishes to its roles, as the composition root does. */
    private Broadcasting node(String id, RecordingWebhooks webhooks) {
        InMemoryCluster.Node node = cluster.node(id);
        Broadcasting roles = Broadcasting.of(node.relay(), node.state(), webhooks, Metrics.NONE, Duration.ZERO);
        node.relay().start(received(roles));
        return roles;
    }

    private static Consumer<Envelope> received(Broadcasting roles) {
        return envelope -> {
            switch (envelope.type()) {
                case EVENT -> roles.broadcaster().receive(APP, envelope.channel(), envelope.frame(), envelope.except());
                case INTERNAL -> roles.broadcaster().receiveInternal(APP, envelope.channel(), envelope.frame(), envelope.except(),
                        envelope.user() == null ? null : new RosterChange(envelope.channel(), envelope.user(), envelope.version()));
                case COUNT -> roles.membership().countChanged(APP, envelope.channel());
                default -> { }
            }
        };
    }

    private static List<String> starting(String prefix, RecordingWebhooks webhooks) {
        return webhooks.emitted.stream().filter(line -> line.startsWith(prefix)).toList();
    }

    private static String count(String channel, long n) {
        return "{\"event\":\"pusher_internal:subscription_count\",\"channel\":\"" + channel
                + "\",\"data\":\"{\\\"subscription_count\\\":" + n + "}\"}";
    }

    @Test
    void aChannelWithSubscribersOnBothNodesIsOccupiedByTheFirstAndVacatedByTheLastOnce() {
        RecordingSubscriber onA = new RecordingSubscriber("a.1");
        RecordingSubscriber onB = new RecordingSubscriber("b.1");
        a.membership().subscribe(APP, "news", onA, NOT_PRESENCE);
        b.membership().subscribe(APP, "news", onB, NOT_PRESENCE);
        a.membership().unsubscribe(APP, "news", onA, NOT_PRESENCE);
        b.membership().unsubscribe(APP, "news", onB, NOT_PRESENCE);
        assertEquals(List.of("channel_occupied news"), starting("channel_", hooksA));
        assertEquals(List.of("channel_vacated news"), starting("channel_", hooksB));
    }

    @Test
    void aUserWithAConnectionOnEachNodeIsAddedOnceAndRemovedOnce() {
        RecordingSubscriber watcher = new RecordingSubscriber("b.0");
        b.membership().subscribe(APP, "presence-room", watcher, BOB);
        RecordingSubscriber tabOnA = new RecordingSubscriber("a.1");
        RecordingSubscriber tabOnB = new RecordingSubscriber("b.1");
        a.membership().subscribe(APP, "presence-room", tabOnA, ANN);
        b.membership().subscribe(APP, "presence-room", tabOnB, ANN);
        a.membership().unsubscribe(APP, "presence-room", tabOnA, ANN);
        b.membership().unsubscribe(APP, "presence-room", tabOnB, ANN);
        assertEquals(List.of("member_added presence-room ann"), starting("member_", hooksA));
        assertEquals(List.of("member_added presence-room bob", "member_removed presence-room ann"), starting("member_", hooksB));
        // member_added frames are the server's to send (after the joiner's roster); member_removed is decided here.
        assertEquals(List.of(Frames.memberRemoved("presence-room", "\"ann\"")), watcher.frames.stream()
                .filter(frame -> frame.contains("member_")).toList(), "the watcher on the other node hears it once");
    }

    @Test
    void anEventPublishedOnOneNodeReachesTheSubscribersOfBoth() {
        RecordingSubscriber onA = new RecordingSubscriber("a.1");
        RecordingSubscriber onB = new RecordingSubscriber("b.1");
        a.membership().subscribe(APP, "news", onA, NOT_PRESENCE);
        b.membership().subscribe(APP, "news", onB, NOT_PRESENCE);
        a.broadcaster().publish(APP, "news", "e", "{}", null);
        String event = Frames.event("e", "news", "{}");
        assertEquals(List.of(event), onA.frames.stream().filter(frame -> frame.contains("\"e\"")).toList());
        assertEquals(List.of(event), onB.frames.stream().filter(frame -> frame.contains("\"e\"")).toList());
    }

    @Test
    void theSubscriptionCountSentOnEachNodeIsTheClusterTotal() {
        List<RecordingSubscriber> onA = List.of(new RecordingSubscriber("a.1"), new RecordingSubscriber("a.2"));
        List<RecordingSubscriber> onB = List.of(new RecordingSubscriber("b.1"), new RecordingSubscriber("b.2"),
                new RecordingSubscriber("b.3"));
        onA.forEach(s -> a.membership().subscribe(APP, "room", s, NOT_PRESENCE));
        onB.forEach(s -> b.membership().subscribe(APP, "room", s, NOT_PRESENCE));
        a.membership().flushCounts();
        b.membership().flushCounts();
        for (RecordingSubscriber subscriber : List.of(onA.get(0), onA.get(1), onB.get(0), onB.get(1), onB.get(2))) {
            List<String> frames = subscriber.frames;
            assertEquals(count("room", 5), frames.get(frames.size() - 1), subscriber.id);
        }
    }

    @Test
    void aSubscriberWhoseRosterAlreadyHasAUserWhoJoinedElsewhereIsNotToldOfThemAgainWhenTheNewsArrivesLate() {
        InMemoryCluster.Node linkOfB = cluster.nodeById("b");
        linkOfB.pauseRelay();
        new PresenceTab("a.1", APP).join(a, ROOM, ANN);
        PresenceTab late = new PresenceTab("b.1", APP);
        Membership.Joined joined = late.join(b, ROOM, BOB);
        assertTrue(joined.presenceData().contains("\"ann\""), joined.presenceData());
        linkOfB.resumeRelay();
        assertEquals(List.of(), late.memberFrames(), "ann's member_added reached b after bob's roster had her");

        new PresenceTab("a.2", APP).join(a, ROOM, CARL);
        assertEquals(List.of(Frames.memberAdded(ROOM, "\"carl\"", null)), late.memberFrames(), "news after the roster still arrives");
    }

    @Test
    void aSubscriberWhoseRosterNoLongerHasAUserWhoLeftElsewhereIsNotToldOfTheLeaveWhenItArrivesLate() {
        PresenceTab ann = new PresenceTab("a.1", APP);
        ann.join(a, ROOM, ANN);
        InMemoryCluster.Node linkOfB = cluster.nodeById("b");
        linkOfB.pauseRelay();
        ann.leave(a, ROOM, ANN);
        PresenceTab late = new PresenceTab("b.1", APP);
        Membership.Joined joined = late.join(b, ROOM, BOB);
        assertFalse(joined.presenceData().contains("\"ann\""), joined.presenceData());
        linkOfB.resumeRelay();
        assertEquals(List.of(), late.memberFrames(), "ann's member_removed reached b after bob's roster lacked her");
    }

    @Test
    void newsThatArrivesWhileTheRosterIsBeingReadIsSentAfterItUnlessTheRosterHasIt() {
        PresenceTab late = new PresenceTab("b.1", APP);
        Membership.Joined joined = late.hold(b, ROOM, BOB);
        // Carl joins on a after bob's roster was read: his member_added is held, and news to bob.
        new PresenceTab("a.1", APP).join(a, ROOM, CARL);
        late.announce(b, ROOM, BOB, joined);
        late.confirm(ROOM, BOB, joined);
        List<String> frames = late.frames();
        assertTrue(frames.get(0).contains("subscription_succeeded"), frames.toString());
        assertEquals(List.of(Frames.memberAdded(ROOM, "\"carl\"", null)), late.memberFrames());
    }

    @Test
    void aSecondTabOfAUserIsListedInItsOwnRosterEvenBeforeTheClusterHasTheUser() {
        PresenceTab first = new PresenceTab("b.1", APP);
        Membership.Joined firstJoin = first.hold(b, ROOM, BOB);
        // The second tab reads the roster while the first tab's join is still on its way to the store.
        cluster.nodeById("b").leave(APP.id(), ROOM, BOB.userKey());
        PresenceTab second = new PresenceTab("b.2", APP);
        Membership.Joined secondJoin = second.join(b, ROOM, BOB);
        assertTrue(secondJoin.presenceData().contains("\"bob\""), secondJoin.presenceData());
        first.confirm(ROOM, BOB, firstJoin);
        assertEquals(List.of(), second.memberFrames(), "no news of itself");
    }

    @Test
    void aMemberAnnouncedAgainAfterAnOutageIsNewsToTheOthersButNotToTheirOwnConnections() {
        PresenceTab annOnA = new PresenceTab("a.1", APP);
        PresenceTab bobOnA = new PresenceTab("a.2", APP);
        PresenceTab carlOnB = new PresenceTab("b.1", APP);
        annOnA.join(a, ROOM, ANN);
        bobOnA.join(a, ROOM, BOB);
        carlOnB.join(b, ROOM, CARL);
        int bobBefore = bobOnA.memberFrames().size();
        int carlBefore = carlOnB.memberFrames().size();
        // The others reaped a (it was cut off) and a re-reported ann: versions after every roster read above.
        a.membership().memberGone(APP, ROOM, "{\"id\":\"ann\",\"info\":null}", Long.MAX_VALUE - 1);
        a.membership().memberBack(APP, ROOM, "{\"id\":\"ann\",\"info\":null}", Long.MAX_VALUE);
        List<String> goneAndBack = List.of(Frames.memberRemoved(ROOM, "\"ann\""), Frames.memberAdded(ROOM, "\"ann\"", null));
        assertEquals(goneAndBack, bobOnA.memberFrames().subList(bobBefore, bobOnA.memberFrames().size()));
        assertEquals(goneAndBack, carlOnB.memberFrames().subList(carlBefore, carlOnB.memberFrames().size()));
        assertFalse(annOnA.memberFrames().stream().anyMatch(frame -> frame.contains("\\\"ann\\\"")),
                "a member is never told of itself: " + annOnA.memberFrames());
    }
}
