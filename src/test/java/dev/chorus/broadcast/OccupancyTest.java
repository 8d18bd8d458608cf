package dev.chorus.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chorus.app.App;
import dev.chorus.channel.Member;
import dev.chorus.metrics.Metrics;
import dev.chorus.relay.ClusterState;
import dev.chorus.testing.RecordingRelay;
import dev.chorus.testing.RecordingSubscriber;
import dev.chorus.testing.TestApps;
import dev.chorus.webhook.WebhookEmitter;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OccupancyTest {
    private static final App APP = TestApps.app().clientEventRate(0).build();
    private static final Member NOT_PRESENCE = new Member("", "null", null);
    private static final Member ANN = new Member("ann", "\"ann\"", "{\"n\":1}");

    private final RecordingRelay relay = new RecordingRelay();
    private Broadcasting roles;

    @AfterEach
    void stop() {
        roles.close();
    }

    private Occupancy occupancy(ClusterState cluster) {
        roles = Broadcasting.of(relay, cluster, WebhookEmitter.NONE, Metrics.NONE, Duration.ZERO);
        Membership membership = roles.membership();
        membership.subscribe(APP, "presence-room", new RecordingSubscriber("a"), ANN);
        membership.subscribe(APP, "news", new RecordingSubscriber("a"), NOT_PRESENCE);
        membership.subscribe(APP, "news", new RecordingSubscriber("b"), NOT_PRESENCE);
        membership.subscribe(APP, "#server-to-user-ann", new RecordingSubscriber("a"), NOT_PRESENCE);
        return roles.occupancy();
    }

    @Test
    void aNodeThatCannotAskTheClusterAnswersEveryQuestionFromItsOwnChannels() {
        Occupancy occupancy = occupancy(ClusterState.NONE);
        assertEquals(Map.of("news", 2L, "presence-room", 1L), occupancy.subscriptionCounts(APP));
        assertEquals(List.of("ann"), occupancy.users(APP, "presence-room"));
        assertEquals(Set.of("here"), occupancy.nodes());
        assertEquals(4, occupancy.connectionCount(APP, 4));
        assertEquals(Set.of("ann"), occupancy.signedInAnywhere(APP, List.of("ann", "bob"), () -> Set.of("ann")));
        assertNull(occupancy.cached(APP, "cache-prices"));
    }

    @Test
    void theClusterSAnswersWinOverThisNodeS() {
        Occupancy occupancy = occupancy(new ClusterState() {
            @Override
            public Optional<Map<String, Long>> subscriptionCounts(String app) {
                return Optional.of(Map.of("news", 9L));
            }

            @Override
            public Optional<Map<String, String>> roster(String app, String channel) {
                return Optional.of(Map.of("bob", "{\"id\":\"bob\",\"info\":null}"));
            }

            @Override
            public Optional<Set<String>> nodes() {
                return Optional.of(Set.of("here", "there"));
            }

            @Override
            public Optional<Long> connectionCount(String app) {
                return Optional.of(30L);
            }

            @Override
            public Optional<Set<String>> present(String app, String channel, Collection<String> userKeys) {
                return Optional.of(Set.of("bob"));
            }

            @Override
            public Optional<String> cached(String app, String channel) {
                return Optional.of("the cluster's event");
            }
        });
        assertEquals(Map.of("news", 9L), occupancy.subscriptionCounts(APP));
        assertEquals(List.of("bob"), occupancy.users(APP, "presence-room"));
        assertEquals(Set.of("here", "there"), occupancy.nodes());
        assertEquals(30, occupancy.connectionCount(APP, 4));
        assertEquals(Set.of("bob"), occupancy.signedInAnywhere(APP, List.of("ann", "bob"), () -> Set.of("ann")));
        assertEquals("the cluster's event", occupancy.cached(APP, "cache-prices"));
    }

    @Test
    void thisNodeSPartHoldsItsSubscriptionsAndPresenceMembersButNoUserSOwnChannel() {
        Occupancy occupancy = occupancy(ClusterState.NONE);
        ClusterState.LocalPart part = occupancy.localPart(Map.of(APP.id(), 2));
        assertEquals(Map.of(APP.id(), Map.of("news", 2, "presence-room", 1)), part.subscriptions());
        assertEquals(Map.of(APP.id(), 2), part.connections());
        assertEquals(Map.of(APP.id(), Map.of("presence-room", Map.of("ann", "{\"id\":\"ann\",\"info\":{\"n\":1}}"))),
                part.members());
    }

    @Test
    void thisNodeSPartLeavesOutChannelsEmptiedMeanwhile() {
        Occupancy occupancy = occupancy(ClusterState.NONE);
        RecordingSubscriber c = new RecordingSubscriber("c");
        roles.membership().subscribe(APP, "sport", c, NOT_PRESENCE);
        roles.membership().unsubscribe(APP, "sport", c, NOT_PRESENCE);
        assertEquals(Set.of("news", "presence-room"), occupancy.localPart(Map.of()).subscriptions().get(APP.id()).keySet());
    }
}
