package dev.chorus.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.channel.Member;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.Webhooks;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.Envelope;
import dev.chorus.testing.RecordingRelay;
import dev.chorus.testing.RecordingSubscriber;
import dev.chorus.testing.PresenceTab;
import dev.chorus.testing.RecordingWebhooks;
import dev.chorus.testing.TestApps;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MembershipTest {
    private static final App APP = TestApps.app().clientEventRate(0).maxPresenceMembers(10)
            .webhooks(List.of(new App.Webhook(URI.create("http://hooks.test/"), Webhooks.ALL, null))).build();
    private static final Member NOT_PRESENCE = new Member("", "null", null);
    private static final Member ANN = new Member("ann", "\"ann\"", null);
    private static final Member BOB = new Member("bob", "\"bob\"", "{\"n\":2}");

    private final RecordingRelay relay = new RecordingRelay();
    private final RecordingWebhooks webhooks = new RecordingWebhooks();
    private final List<Broadcasting> built = new ArrayList<>();

    @AfterEach
    void stop() {
        built.forEach(Broadcasting::close);
    }

    /** Counts are flushed by hand, so nothing goes out on a timer behind the test's back. */
    private Membership membership(ClusterState cluster) {
        Broadcasting roles = Broadcasting.of(relay, cluster, webhooks, Metrics.NONE, Duration.ZERO);
        built.add(roles);
        return roles.membership();
    }

    private List<Envelope.Type> relayed() {
        return relay.sent.stream().map(Envelope::type).toList();
    }

    @Test
    void aNodeAloneCallsTheChannelOccupiedAtItsFirstSubscriberAndVacatedAtItsLast() {
        Membership membership = membership(ClusterState.NONE);
        RecordingSubscriber a = new RecordingSubscriber("a");
        membership.subscribe(APP, "news", a, NOT_PRESENCE);
        membership.unsubscribe(APP, "news", a, NOT_PRESENCE);
        assertEquals(List.of("channel_occupied news", "subscription_count news 1", "channel_vacated news",
                "subscription_count news 0"), webhooks.emitted);
    }

    @Test
    void aChannelTheClusterHasSubscribersOfElsewhereIsNotOccupiedAgainAndCountsTheClusterTotal() {
        Membership membership = membership(new ClusterState() {
            @Override
            public Optional<Long> subscriptions(String app, String channel, int delta) {
                return Optional.of(5L);
            }
        });
        membership.subscribe(APP, "news", new RecordingSubscriber("a"), NOT_PRESENCE);
        assertEquals(List.of("subscription_count news 5"), webhooks.emitted);
    }

    @Test
    void aUserTheClusterHasElsewhereJoinsWithoutMemberAddedAndIsHandedTheClusterSRoster() {
        Membership membership = membership(new ClusterState() {
            @Override
            public Optional<Joined> join(String app, String channel, String userKey, String memberJson, int maxMembers) {
                return Optional.of(new Joined(Entry.AGAIN, 0));
            }

            @Override
            public Optional<Map<String, String>> roster(String app, String channel) {
                return Optional.of(Map.of("ann", "{\"id\":\"ann\",\"info\":null}", "bob", "{\"id\":\"bob\",\"info\":{\"n\":2}}"));
            }
        });
        Membership.Joined joined = membership.subscribe(APP, "presence-room", new RecordingSubscriber("a"), ANN);
        assertFalse(joined.firstForUser());
        assertTrue(joined.presenceData().contains("\"bob\""), joined.presenceData());
        assertFalse(webhooks.emitted.stream().anyMatch(event -> event.startsWith("member_added")), webhooks.emitted.toString());
    }

    @Test
    void aNodeAloneCountsAUserNewToTheChannelFirstAndHandsOutItsOwnRoster() {
        Membership membership = membership(ClusterState.NONE);
        Membership.Joined joined = membership.subscribe(APP, "presence-room", new RecordingSubscriber("a"), ANN);
        assertTrue(joined.firstForUser());
        assertEquals(joined.local().presenceData(), joined.presenceData());
        assertTrue(webhooks.emitted.contains("member_added presence-room ann"), webhooks.emitted.toString());
    }

    @Test
    void aUserTheClusterStillHasElsewhereLeavesWithoutMemberRemoved() {
        Membership membership = membership(new ClusterState() {
            @Override
            public Optional<Left> leave(String app, String channel, String userKey) {
                return Optional.of(new Left(false, 0));
            }
        });
        RecordingSubscriber a = new RecordingSubscriber("a");
        RecordingSubscriber b = new RecordingSubscriber("b");
        membership.subscribe(APP, "presence-room", a, ANN);
        membership.subscribe(APP, "presence-room", b, BOB);
        relay.sent.clear();
        b.frames.clear();
        membership.unsubscribe(APP, "presence-room", a, ANN);
        assertEquals(List.of(), b.frames);
        assertEquals(List.of(), relayed());
        assertFalse(webhooks.emitted.contains("member_removed presence-room ann"));
    }

    @Test
    void aNodeAloneAnnouncesTheLastConnectionOfAUserAsMemberRemovedHereAndToTheOtherNodes() {
        Membership membership = membership(ClusterState.NONE);
        RecordingSubscriber a = new RecordingSubscriber("a");
        RecordingSubscriber b = new RecordingSubscriber("b");
        membership.subscribe(APP, "presence-room", a, ANN);
        membership.subscribe(APP, "presence-room", b, BOB);
        relay.sent.clear();
        b.frames.clear();
        membership.unsubscribe(APP, "presence-room", a, ANN);
        String removed = Frames.memberRemoved("presence-room", "\"ann\"");
        assertEquals(List.of(removed), b.frames);
        assertEquals(List.of(Envelope.Type.INTERNAL), relayed());
        assertEquals(removed, relay.sent.get(0).frame());
        assertTrue(webhooks.emitted.contains("member_removed presence-room ann"));
    }

    @Test
    void aSubscribeTakenBackUnannouncedTellsNoMemberButKeepsTheWebhooksPaired() {
        Membership membership = membership(ClusterState.NONE);
        RecordingSubscriber a = new RecordingSubscriber("a");
        RecordingSubscriber b = new RecordingSubscriber("b");
        membership.subscribe(APP, "presence-room", b, BOB);
        membership.subscribe(APP, "presence-room", a, ANN);
        b.frames.clear();
        membership.unsubscribe(APP, "presence-room", a, ANN, false);
        assertEquals(List.of(), b.frames);
        assertTrue(webhooks.emitted.contains("member_removed presence-room ann"));
    }

    @Test
    void aMemberOfADeadNodeIsAnnouncedGoneHereToTheOtherNodesAndToTheWebhooks() {
        Membership membership = membership(ClusterState.NONE);
        RecordingSubscriber b = new RecordingSubscriber("b");
        membership.subscribe(APP, "presence-room", b, BOB);
        b.frames.clear();
        relay.sent.clear();
        membership.memberGone(APP, "presence-room", "{\"id\":\"ann\",\"info\":null}", 0);
        String removed = Frames.memberRemoved("presence-room", "\"ann\"");
        assertEquals(List.of(removed), b.frames);
        assertEquals(List.of(Envelope.Type.INTERNAL), relayed());
        assertEquals(removed, relay.sent.get(0).frame());
        assertTrue(webhooks.emitted.contains("member_removed presence-room ann"));
    }

    @Test
    void aMemberBackAfterAnOutageIsAnnouncedWithItsInfo() {
        Membership membership = membership(ClusterState.NONE);
        RecordingSubscriber a = new RecordingSubscriber("a");
        membership.subscribe(APP, "presence-room", a, ANN);
        a.frames.clear();
        relay.sent.clear();
        membership.memberBack(APP, "presence-room", "{\"id\":\"bob\",\"info\":{\"n\":2}}", 0);
        String added = Frames.memberAdded("presence-room", "\"bob\"", "{\"n\":2}");
        assertEquals(List.of(added), a.frames);
        assertEquals(added, relay.sent.get(0).frame());
        assertTrue(webhooks.emitted.contains("member_added presence-room bob"));
    }

    @Test
    void aMemberGoneFromAChannelWithNoSubscriberHereIsStillRelayed() {
        Membership membership = membership(ClusterState.NONE);
        membership.memberGone(APP, "presence-empty", "{\"id\":\"ann\",\"info\":null}", 0);
        assertEquals(List.of(Envelope.Type.INTERNAL), relayed());
    }

    @Test
    void aNodeAloneCountsEverySignInFirstAndEverySignOutLastAndTellsTheOtherNodes() {
        Membership membership = membership(ClusterState.NONE);
        assertTrue(membership.signedIn(APP, "ann"));
        assertTrue(membership.signedOut(APP, "ann"));
        assertEquals(List.of(Envelope.Type.ONLINE, Envelope.Type.OFFLINE), relayed());
        assertEquals("ann", relay.sent.get(0).user());
    }

    @Test
    void aUserSignedInOnAnotherNodeIsNeitherOnlineNorOfflineAgain() {
        Membership membership = membership(new ClusterState() {
            @Override
            public Optional<Boolean> join(String app, String channel, String userKey, String memberJson) {
                assertEquals(ClusterState.SIGNED_IN, channel);
                return Optional.of(false);
            }

            @Override
            public Optional<Left> leave(String app, String channel, String userKey) {
                return Optional.of(new Left(false, 0));
            }
        });
        assertFalse(membership.signedIn(APP, "ann"));
        assertFalse(membership.signedOut(APP, "ann"));
        assertEquals(List.of(), relayed());
    }

    @Test
    void connectionsOpenedAndClosedAreReportedToTheCluster() {
        List<Integer> deltas = new ArrayList<>();
        Membership membership = membership(new ClusterState() {
            @Override
            public void connections(String app, int delta) {
                deltas.add(delta);
            }
        });
        membership.connectionOpened(APP);
        membership.connectionClosed(APP);
        assertEquals(List.of(1, -1), deltas);
    }

    @Test
    void aDeadNodeSSubscriptionsGoneAreToldToTheOtherNodesLikeAChangeHere() {
        App counting = APP.withFeatures(new App.Features(true, true));
        Membership membership = membership(ClusterState.NONE);
        membership.countGone(counting, "news");
        membership.flushCounts();
        assertEquals(List.of(Envelope.Type.COUNT), relayed());
        relay.sent.clear();
        membership.countChanged(counting, "news");
        membership.flushCounts();
        assertEquals(List.of(), relayed(), "another node's change is not relayed back");
    }

    @Test
    void aChannelsLimitRefusalLeavesNothingCountedOrAnnounced() {
        App oneChannel = APP.toBuilder().limits(new App.Limits(100, 100, 100, 1, 10, 10_000)).build();
        Membership membership = membership(ClusterState.NONE);
        membership.subscribe(oneChannel, "news", new RecordingSubscriber("a"), NOT_PRESENCE);
        webhooks.emitted.clear();
        Membership.Joined joined = membership.subscribe(oneChannel, "sport", new RecordingSubscriber("a"), NOT_PRESENCE);
        assertTrue(joined.local().channelsFull());
        assertNull(joined.presenceData());
        assertEquals(List.of(), webhooks.emitted);
    }

    @Test
    void onANodeAloneASubscriberWhoseRosterHasAUserIsNotToldOfThemWhenTheirAnnouncementGoesOutAfterIt() {
        Broadcasting roles = Broadcasting.of(relay, ClusterState.NONE, webhooks, Metrics.NONE, Duration.ZERO);
        built.add(roles);
        PresenceTab annTab = new PresenceTab("a", APP);
        Membership.Joined ann = annTab.hold(roles, "presence-room", ANN);
        // Bob subscribes between ann's join and her member_added going out (the server sends it after subscribe returns).
        PresenceTab bobTab = new PresenceTab("b", APP);
        Membership.Joined bob = bobTab.join(roles, "presence-room", BOB);
        assertTrue(bob.presenceData().contains("\"ann\""), bob.presenceData());
        annTab.announce(roles, "presence-room", ANN, ann);
        annTab.confirm("presence-room", ANN, ann);
        assertEquals(List.of(), bobTab.memberFrames(), "ann was in bob's roster already");
        assertEquals(List.of(Frames.memberAdded("presence-room", "\"bob\"", "{\"n\":2}")), annTab.memberFrames(),
                "bob joined after ann's roster was read: news to her, held until her confirmation");
        assertTrue(annTab.frames().get(0).contains("subscription_succeeded"), annTab.frames().toString());
        annTab.leave(roles, "presence-room", ANN);
        assertEquals(List.of(Frames.memberRemoved("presence-room", "\"ann\"")), bobTab.memberFrames());
    }
}
