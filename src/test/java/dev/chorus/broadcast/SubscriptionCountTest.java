package dev.chorus.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.channel.Member;
import dev.chorus.channel.Subscriber;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.EncodedFrame;
import dev.chorus.protocol.Frames;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.Envelope;
import dev.chorus.relay.Relay;
import dev.chorus.testing.TestApps;
import dev.chorus.webhook.WebhookEmitter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SubscriptionCountTest {
    private static final Member NOT_PRESENCE = new Member("", "null", null);
    private static final App OFF = TestApps.app().clientEventRate(0).build();
    private static final App ON = OFF.withFeatures(new App.Features(true, true));

    private final List<Envelope> relayed = new CopyOnWriteArrayList<>();
    /** Records what would go to the other nodes. */
    private final Relay relay = new Relay() {
        @Override
        public String nodeId() {
            return "here";
        }

        @Override
        public void publish(Envelope envelope) {
            relayed.add(envelope);
        }

        @Override
        public void start(Consumer<Envelope> receiver) {
        }

        @Override
        public boolean connected() {
            return true;
        }

        @Override
        public void close() {
        }
    };
    /** Counts are flushed by hand here, so what a flush sends is exact. */
    private final Broadcasting broadcasting = Broadcasting.of(relay, ClusterState.NONE, WebhookEmitter.NONE, Metrics.NONE,
            Duration.ZERO);

    @AfterEach
    void stop() {
        broadcasting.close();
    }

    private static final class Recorder implements Subscriber {
        final String id;
        final List<String> frames = new CopyOnWriteArrayList<>();

        Recorder(String id) {
            this.id = id;
        }

        @Override
        public String socketId() {
            return id;
        }

        @Override
        public void send(EncodedFrame frame) {
            frames.add(frame.text());
        }

        @Override
        public void send(List<EncodedFrame> batch) {
            batch.forEach(this::send);
        }
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
    private static void awaitSentinel(Broadcasting broadcasting, App app, String channel, List<Recorder> recorders)
            throws InterruptedException {
        broadcasting.broadcaster().publish(app, channel, "sentinel", "{}", null);
        String sentinel = sentinel(channel);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (recorders.stream().anyMatch(r -> !r.frames.contains(sentinel)) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static String sentinel(String channel) {
        return Frames.event("sentinel", channel, "{}");
    }

    private List<Recorder> join(App app, String channel, int n) {
        List<Recorder> joined = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Recorder recorder = new Recorder("s." + ids.incrementAndGet());
            broadcasting.membership().subscribe(app, channel, recorder, NOT_PRESENCE);
            joined.add(recorder);
        }
        return joined;
    }

    @Test
    void manyChangesBetweenTwoFlushesSendOneFrameWithTheFinalCount() throws InterruptedException {
        List<Recorder> crowd = join(ON, "room", 1_000);
        broadcasting.membership().unsubscribe(ON, "room", crowd.get(0), NOT_PRESENCE);
        broadcasting.membership().flushCounts();
        awaitSentinel(broadcasting, ON, "room", crowd.subList(1, crowd.size()));
        for (Recorder recorder : crowd.subList(1, crowd.size())) {
            assertEquals(List.of(count("room", 999), sentinel("room")), recorder.frames);
        }
        assertEquals(List.of(), crowd.get(0).frames, "the one who left hears nothing");
    }

    @Test
    void aFlushWithNoChangeSinceTheLastSendsNothing() {
        List<Recorder> crowd = join(ON, "room", 3);
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
            List<Recorder> crowd = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                Recorder recorder = new Recorder("t." + i);
                timed.membership().subscribe(ON, "storm", recorder, NOT_PRESENCE);
                crowd.add(recorder);
                if (i % 200 == 0) {
                    Thread.sleep(20);
                }
            }
            Recorder first = crowd.get(0);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!first.frames.contains(count("storm", 2_000)) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
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
        List<Recorder> crowd = join(OFF, "room", 5);
        broadcasting.membership().unsubscribe(OFF, "room", crowd.get(4), NOT_PRESENCE);
        broadcasting.membership().countChanged(OFF, "room");
        broadcasting.membership().flushCounts();
        crowd.forEach(recorder -> assertEquals(List.of(), recorder.frames));
        assertEquals(List.of(), relayed);
    }

    @Test
    void presenceChannelsGetNoCountsAsOnPusher() {
        Recorder alice = new Recorder("a");
        Recorder bob = new Recorder("b");
        broadcasting.membership().subscribe(ON, "presence-room", alice, new Member("1", "\"1\"", null));
        broadcasting.membership().subscribe(ON, "presence-room", bob, new Member("2", "\"2\"", null));
        broadcasting.membership().countChanged(ON, "presence-room");
        broadcasting.membership().flushCounts();
        assertTrue(alice.frames.stream().noneMatch(f -> f.contains("subscription_count")), alice.frames.toString());
        assertEquals(List.of(), relayed);
    }

    @Test
    void privateAndCacheChannelsGetCountsToo() {
        Recorder recorder = new Recorder("p");
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
        Recorder recorder = new Recorder("c");
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
