package dev.chorus.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.app.App;
import dev.chorus.channel.Member;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.Webhooks;
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
                case INTERNAL -> roles.broadcaster().receiveInternal(APP, envelope.channel(), envelope.frame(), envelope.except());
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
}
