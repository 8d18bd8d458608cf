package dev.chorus.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.app.App;
import dev.chorus.channel.Member;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.Webhooks;
import dev.chorus.protocol.RosterChange;
import dev.chorus.relay.Envelope;
import dev.chorus.testing.InMemoryCluster;
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

    /** What the server does on a subscribe: join, and announce a user new to the channel to every node. */
    private static Membership.Joined join(Broadcasting node, RecordingSubscriber subscriber, Member member) {
        Membership.Joined joined = node.membership().subscribe(APP, ROOM, subscriber, member);
        if (joined.firstForUser()) {
            node.broadcaster().publishMember(APP, ROOM, Frames.memberAdded(ROOM, member.userIdJson(), member.userInfoJson()),
                    subscriber.id, joined.added());
        }
        return joined;
    }

    private static List<String> memberFrames(RecordingSubscriber subscriber) {
        return subscriber.frames.stream().filter(frame -> frame.contains("member_")).toList();
    }

    @Test
    void aSubscriberWhoseRosterAlreadyHasAUserWhoJoinedElsewhereIsNotToldOfThemAgainWhenTheNewsArrivesLate() {
        InMemoryCluster.Node linkOfB = cluster.nodeById("b");
        linkOfB.pauseRelay();
        join(a, new RecordingSubscriber("a.1"), ANN);
        RecordingSubscriber late = new RecordingSubscriber("b.1");
        Membership.Joined joined = join(b, late, BOB);
        assertEquals(true, joined.presenceData().contains("\"ann\""), joined.presenceData());
        linkOfB.resumeRelay();
        assertEquals(List.of(), memberFrames(late), "ann's member_added reached b after bob's roster had her");

        RecordingSubscriber carl = new RecordingSubscriber("a.2");
        join(a, carl, new Member("carl", "\"carl\"", null));
        assertEquals(List.of(Frames.memberAdded(ROOM, "\"carl\"", null)), memberFrames(late), "news after the roster still arrives");
    }

    @Test
    void aSubscriberWhoseRosterNoLongerHasAUserWhoLeftElsewhereIsNotToldOfTheLeaveWhenItArrivesLate() {
        RecordingSubscriber ann = new RecordingSubscriber("a.1");
        join(a, ann, ANN);
        InMemoryCluster.Node linkOfB = cluster.nodeById("b");
        linkOfB.pauseRelay();
        a.membership().unsubscribe(APP, ROOM, ann, ANN);
        RecordingSubscriber late = new RecordingSubscriber("b.1");
        Membership.Joined joined = join(b, late, BOB);
        assertEquals(false, joined.presenceData().contains("\"ann\""), joined.presenceData());
        linkOfB.resumeRelay();
        assertEquals(List.of(), memberFrames(late), "ann's member_removed reached b after bob's roster lacked her");
    }

    @Test
    void aMemberAnnouncedAgainAfterAnOutageIsNewsToTheOthersButNotToTheirOwnConnections() {
        RecordingSubscriber annOnA = new RecordingSubscriber("a.1");
        RecordingSubscriber bobOnA = new RecordingSubscriber("a.2");
        RecordingSubscriber carlOnB = new RecordingSubscriber("b.1");
        join(a, annOnA, ANN);
        join(a, bobOnA, BOB);
        join(b, carlOnB, new Member("carl", "\"carl\"", null));
        List.of(annOnA, bobOnA, carlOnB).forEach(subscriber -> subscriber.frames.clear());
        // The others reaped a (it was cut off) and a re-reported ann: versions after every roster read above.
        a.membership().memberGone(APP, ROOM, "{\"id\":\"ann\",\"info\":null}", Long.MAX_VALUE - 1);
        a.membership().memberBack(APP, ROOM, "{\"id\":\"ann\",\"info\":null}", Long.MAX_VALUE);
        List<String> goneAndBack = List.of(Frames.memberRemoved(ROOM, "\"ann\""), Frames.memberAdded(ROOM, "\"ann\"", null));
        assertEquals(goneAndBack, memberFrames(bobOnA));
        assertEquals(goneAndBack, memberFrames(carlOnB));
        assertEquals(List.of(), memberFrames(annOnA), "a member is never told of itself");
    }
}
