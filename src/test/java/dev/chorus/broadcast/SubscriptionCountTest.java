package dev.chorus.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.channel.Member;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.Frames;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.Envelope;
import dev.chorus.testing.Await;
import dev.chorus.testing.RecordingRelay;
import dev.chorus.testing.RecordingSubscriber;
import dev.chorus.testing.TestApps;
import dev.chorus.webhook.WebhookEmitter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SubscriptionCountTest {
    private static final Member NOT_PRESENCE = new Member("", "null", null);
    private static final App OFF = TestApps.app().clientEventRate(0).build();
    private static final App ON = OFF.withFeatures(new App.Features(true, true));

    /** Records what would go to the other nodes. */
    private final RecordingRelay relay = new RecordingRelay();
    private final List<Envelope> relayed = relay.sent;
    /** Counts are flushed by hand here, so what a flush sends is exact. */
    private final Broadcasting broadcasting = Broadcasting.of(relay, ClusterState.NONE, WebhookEmitter.NONE, Metrics.NONE,
            Duration.ZERO);

    @AfterEach
    void stop() {
        broadcasting.close();
    }

    private static String count(String channel, long n) {
        return "{\"event\":\"pusher_internal:subscription_count\",\"channel\":\"" + channel
                + "\",\"data\":\"{\\\"subscription_count\\\":" + n + "}\"}";
    }

    private final AtomicInteger ids = new AtomicInteger();

    /**
     * Channels above FanOut's inline limit are delivered on its pool. A channel delivers in publish order,
     * so once every recorder has the sentinel published after the frames under test, those frames have all
     * landed: what a recorder lacks then, it will never get.
     */
    private static void awaitSentinel(Broadcasting broadcasting, App app, String channel, List<RecordingSubscriber> recorders)
            throws Exception {
        broadcasting.broadcaster().publish(app, channel, "sentinel", "{}", null);
        String sentinel = sentinel(channel);
        Await.within(Duration.ofSeconds(5), () -> recorders.stream().allMatch(r -> r.frames.contains(sentinel)));
    }

    private static String sentinel(String channel) {
        return Frames.event("sentinel", channel, "{}");
    }

    private List<RecordingSubscriber> join(App app, String channel, int n) {
        List<RecordingSubscriber> joined = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RecordingSubscriber recorder = new RecordingSubscriber("s." + ids.incrementAndGet());
            broadcasting.membership().subscribe(app, channel, recorder, NOT_PRESENCE);
            joined.add(recorder);
        }
        return joined;
    }

    @Test
    void manyChangesBetweenTwoFlushesSendOneFrameWithTheFinalCount() throws Exception {
        List<RecordingSubscriber> crowd = join(ON, "room", 1_000);
        broadcasting.membership().unsubscribe(ON, "room", crowd.get(0), NOT_PRESENCE);
        broadcasting.membership().flushCounts();
        awaitSentinel(broadcasting, ON, "room", crowd.subList(1, crowd.size()));
        for (RecordingSubscriber recorder : crowd.subList(1, crowd.size())) {
            assertEquals(List.of(count("room", 999), sentinel("room")), recorder.frames);
        }
        assertEquals(List.of(), crowd.get(0).frames, "the one who left hears nothing");
    }

    @Test
    void aFlushWithNoChangeSinceTheLastSendsNothing() {
        List<RecordingSubscriber> crowd = join(ON, "room", 3);
        broadcasting.membership().flushCounts();
        broadcasting.membership().flushCounts();
        assertEquals(List.of(count("room", 3)), crowd.get(2).frames);
        join(ON, "room", 1);
        broadcasting.membership().flushCounts();
        assertEquals(List.of(count("room", 3), count("room", 4)), crowd.get(2).frames);
    }

    @Test
    void theLastFrameAfterAStormCarriesTheFinalCount() throws Exception {
        Broadcasting timed = Broadcasting.of(relay, ClusterState.NONE, WebhookEmitter.NONE, Metrics.NONE, Duration.ofMillis(50));
        try {
            List<RecordingSubscriber> crowd = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                RecordingSubscriber recorder = new RecordingSubscriber("t." + i);
                timed.membership().subscribe(ON, "storm", recorder, NOT_PRESENCE);
                crowd.add(recorder);
                if (i % 200 == 0) {
                    Thread.sleep(20);
                }
            }
            RecordingSubscriber first = crowd.get(0);
            Await.within(Duration.ofSeconds(5), () -> first.frames.contains(count("storm", 2_000)));
            awaitSentinel(timed, ON, "storm", List.of(first));
            List<String> frames = List.copyOf(first.frames);
            assertEquals(List.of(count("storm", 2_000), sentinel("storm")), frames.subList(frames.indexOf(count("storm", 2_000)), frames.size()),
                    "nothing came between the final count and the sentinel");
            assertTrue(frames.size() < 100, "coalesced: " + frames.size() + " frames for 2000 joins");
        } finally {
            timed.close();
        }
    }

    @Test
    void countsAreOffByDefault() {
        assertEquals(new App.Features(false, true), OFF.features());
        List<RecordingSubscriber> crowd = join(OFF, "room", 5);
        broadcasting.membership().unsubscribe(OFF, "room", crowd.get(4), NOT_PRESENCE);
        broadcasting.membership().countChanged(OFF, "room");
        broadcasting.membership().flushCounts();
        crowd.forEach(recorder -> assertEquals(List.of(), recorder.frames));
        assertEquals(List.of(), relayed);
    }

    @Test
    void presenceChannelsGetNoCountsAsOnPusher() {
        RecordingSubscriber alice = new RecordingSubscriber("a");
        RecordingSubscriber bob = new RecordingSubscriber("b");
        broadcasting.membership().subscribe(ON, "presence-room", alice, new Member("1", "\"1\"", null));
        broadcasting.membership().subscribe(ON, "presence-room", bob, new Member("2", "\"2\"", null));
        broadcasting.membership().countChanged(ON, "presence-room");
        broadcasting.membership().flushCounts();
        assertTrue(alice.frames.stream().noneMatch(f -> f.contains("subscription_count")), alice.frames.toString());
        assertEquals(List.of(), relayed);
    }

    @Test
    void privateAndCacheChannelsGetCountsToo() {
        RecordingSubscriber recorder = new RecordingSubscriber("p");
        broadcasting.membership().subscribe(ON, "private-room", recorder, NOT_PRESENCE);
        broadcasting.membership().flushCounts();
        assertEquals(List.of(count("private-room", 1)), recorder.frames);
    }

    @Test
    void aLocalChangeTellsTheOtherNodesOncePerFlushWithoutACount() {
        join(ON, "room", 50);
        broadcasting.membership().flushCounts();
        assertEquals(List.of(Envelope.count("here", "1", "room")), relayed);
    }

    @Test
    void aChangeOnAnotherNodeSendsTheClusterTotalToLocalSubscribersAndIsNotRelayedBack() {
        ClusterState cluster = new ClusterState() {
            @Override
            public Optional<Long> subscriptions(String app, String channel, int delta) {
                return Optional.of(7L);
            }
        };
        Broadcasting clustered = Broadcasting.of(relay, cluster, WebhookEmitter.NONE, Metrics.NONE, Duration.ZERO);
        RecordingSubscriber recorder = new RecordingSubscriber("c");
        clustered.membership().subscribe(ON, "room", recorder, NOT_PRESENCE);
        clustered.membership().flushCounts();
        relayed.clear();
        clustered.membership().countChanged(ON, "room");
        clustered.membership().flushCounts();
        assertEquals(List.of(count("room", 7), count("room", 7)), recorder.frames);
        assertEquals(List.of(), relayed);
        clustered.close();
    }
}
