package dev.chorus.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.channel.Channel;
import dev.chorus.channel.Member;
import dev.chorus.metrics.Metrics;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.LocalRelay;
import dev.chorus.testing.RecordingSubscriber;
import dev.chorus.testing.TestApps;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each question twice: the cluster answers (its answer wins), the cluster cannot be asked (this node's). */
class ClusterViewTest {
    private static final App APP = TestApps.app().clientEventRate(0).maxPresenceMembers(5).build();
    private static final Member NOT_PRESENCE = new Member("", "null", null);
    private static final Member ANN = new Member("ann", "\"ann\"", "{\"n\":1}");

    /** A cluster with an answer to everything, none of which this node could know. */
    private static final ClusterState ANSWERS = new ClusterState() {
        @Override
        public Optional<Joined> join(String app, String channel, String userKey, String memberJson, int maxMembers) {
            return Optional.of(new Joined(Entry.AGAIN, 0));
        }

        @Override
        public Optional<Boolean> join(String app, String channel, String userKey, String memberJson) {
            return Optional.of(false);
        }

        @Override
        public Optional<Left> leave(String app, String channel, String userKey) {
            return Optional.of(new Left(false, 0));
        }

        @Override
        public Optional<Set<String>> present(String app, String channel, Collection<String> userKeys) {
            return Optional.of(Set.of("bob"));
        }

        @Override
        public Optional<Map<String, String>> roster(String app, String channel) {
            return Optional.of(Map.of("bob", "{\"id\":\"bob\",\"info\":null}"));
        }

        @Override
        public Optional<Long> subscriptions(String app, String channel, int delta) {
            return Optional.of(40L);
        }

        @Override
        public Optional<Long> subscriptionTotal(String app, String channel) {
            return Optional.of(41L);
        }

        @Override
        public Optional<Map<String, Long>> subscriptionCounts(String app) {
            return Optional.of(Map.of("elsewhere", 3L));
        }

        @Override
        public Optional<String> cached(String app, String channel) {
            return Optional.of("the cluster's event");
        }

        @Override
        public Optional<Set<String>> nodes() {
            return Optional.of(Set.of("here", "there"));
        }

        @Override
        public Optional<Long> connectionCount(String app) {
            return Optional.of(12L);
        }
    };

    private final Broadcaster local = new Broadcaster(new LocalRelay("here"), ClusterState.NONE, Metrics.NONE);
    private final ClusterView alone = new ClusterView(ClusterState.NONE, local, "here");
    private final ClusterView clustered = new ClusterView(ANSWERS, local, "here");

    @AfterEach
    void stop() {
        local.close();
    }

    /** This node: ann in presence-room, two subscribers of news, an empty channel and a user's own channel. */
    private Channel populate() {
        local.channels(APP).subscribe("presence-room", new RecordingSubscriber("a"), ANN, 10);
        local.channels(APP).subscribe("news", new RecordingSubscriber("a"), NOT_PRESENCE, -1);
        local.channels(APP).subscribe("news", new RecordingSubscriber("b"), NOT_PRESENCE, -1);
        local.channels(APP).subscribe("#server-to-user-ann", new RecordingSubscriber("a"), NOT_PRESENCE, -1);
        return local.channels(APP).find("news");
    }

    @Test
    void subscriptionTotalsAreTheClusterSWhenItAnswers() {
        Channel news = populate();
        assertEquals(40, clustered.subscriptionsAfter(APP, "news", 1, 2));
        assertEquals(41, clustered.subscriptionTotal(APP, news));
        assertEquals(Map.of("elsewhere", 3L), clustered.subscriptionCounts(APP));
    }

    @Test
    void subscriptionTotalsAreThisNodeSWhenTheClusterCannotBeAsked() {
        Channel news = populate();
        assertEquals(2, alone.subscriptionsAfter(APP, "news", 1, 2));
        assertEquals(2, alone.subscriptionTotal(APP, news));
        assertEquals(Map.of("news", 2L, "presence-room", 1L), alone.subscriptionCounts(APP),
                "no user's own channel, no empty channel");
    }

    @Test
    void theRosterAndItsUsersAreTheClusterSWhenItAnswers() {
        populate();
        assertEquals(List.of("bob"), clustered.users(APP, "presence-room"));
        assertTrue(clustered.presenceData(APP, "presence-room", "local").contains("\"bob\""));
    }

    @Test
    void theRosterAndItsUsersAreThisNodeSWhenTheClusterCannotBeAsked() {
        populate();
        assertEquals(List.of("ann"), alone.users(APP, "presence-room"));
        assertEquals(List.of(), alone.users(APP, "presence-nobody"));
        assertEquals("local", alone.presenceData(APP, "presence-room", "local"));
    }

    @Test
    void joinsAndLeavesAreTheClusterSDecisionWhenItAnswers() {
        assertEquals(ClusterState.Entry.AGAIN, clustered.join(APP, "presence-room", "ann", "{}", 7).entry());
        assertFalse(clustered.signIn(APP, "ann"));
        assertFalse(clustered.leave(APP, "presence-room", "ann", 8).last());
        assertFalse(clustered.signOut(APP, "ann"));
    }

    @Test
    void aNodeThatCannotAskTheClusterCountsEveryJoinFirstAndEveryLeaveLast() {
        assertEquals(new ClusterState.Joined(ClusterState.Entry.FIRST, 7), alone.join(APP, "presence-room", "ann", "{}", 7),
                "a node alone numbers its roster changes itself");
        assertTrue(alone.signIn(APP, "ann"));
        assertEquals(new ClusterState.Left(true, 8), alone.leave(APP, "presence-room", "ann", 8));
        assertTrue(alone.signOut(APP, "ann"));
        assertEquals(new ClusterView.Presence("local", 9), alone.presence(APP, "presence-room", "local", 9, "ann", "{}"));
    }

    @Test
    void theClusterSRosterHandedToASubscriberAlwaysListsItsOwnMember() {
        ClusterView.Presence presence = clustered.presence(APP, "presence-room", "local", 9, "ann", "{\"id\":\"ann\",\"info\":null}");
        assertTrue(presence.data().contains("\"ann\"") && presence.data().contains("\"bob\""), presence.data());
        assertEquals(0, presence.version(), "the version the cluster read it at");
    }

    @Test
    void aClusteredNodeThatCannotAskRedisGivesNoRosterVersionForItsOwnNumbersDoNotOrderTheClusters() {
        ClusterView cutOff = new ClusterView(new ClusterState() {
        }, local, "here");
        assertEquals(new ClusterState.Joined(ClusterState.Entry.FIRST, 0), cutOff.join(APP, "presence-room", "ann", "{}", 7));
        assertEquals(new ClusterState.Left(true, 0), cutOff.leave(APP, "presence-room", "ann", 8));
        assertEquals(new ClusterView.Presence("local", 0), cutOff.presence(APP, "presence-room", "local", 9, "ann", "{}"));
    }

    @Test
    void theClusterIsGivenTheAppSMemberLimitOnAJoin() {
        AtomicInteger asked = new AtomicInteger();
        ClusterView view = new ClusterView(new ClusterState() {
            @Override
            public Optional<Joined> join(String app, String channel, String userKey, String memberJson, int maxMembers) {
                asked.set(maxMembers);
                return Optional.of(new Joined(Entry.FULL, 0));
            }
        }, local, "here");
        assertEquals(ClusterState.Entry.FULL, view.join(APP, "presence-room", "ann", "{}", 1).entry());
        assertEquals(5, asked.get());
    }

    @Test
    void nodesConnectionsAndSignedInUsersAreTheClusterSWhenItAnswers() {
        assertEquals(Set.of("here", "there"), clustered.nodes());
        assertEquals(12, clustered.connectionCount(APP, 3));
        assertEquals(Set.of("bob"), clustered.signedIn(APP, List.of("ann", "bob"), () -> Set.of("ann")));
    }

    @Test
    void nodesConnectionsAndSignedInUsersAreThisNodeSWhenTheClusterCannotBeAsked() {
        assertEquals(Set.of("here"), alone.nodes());
        assertEquals(3, alone.connectionCount(APP, 3));
        assertEquals(Set.of("ann"), alone.signedIn(APP, List.of("ann", "bob"), () -> Set.of("ann")));
    }

    @Test
    void aCachedEventIsThisNodeSCopyFirstThenTheClusterSThenNone() {
        assertEquals("the cluster's event", clustered.cached(APP, "cache-prices"), "a node started after it was sent");
        assertNull(alone.cached(APP, "cache-prices"));
        local.receive(APP, "cache-prices", "this node's event", null);
        assertEquals("this node's event", clustered.cached(APP, "cache-prices"));
        assertEquals("this node's event", alone.cached(APP, "cache-prices"));
    }
}
