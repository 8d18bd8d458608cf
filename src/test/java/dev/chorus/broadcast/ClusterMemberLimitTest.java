package dev.chorus.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.channel.Member;
import dev.chorus.channel.Subscriber;
import dev.chorus.metrics.Metrics;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.LocalRelay;
import dev.chorus.testing.RecordingSubscriber;
import dev.chorus.testing.TestApps;
import dev.chorus.webhook.WebhookEmitter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClusterMemberLimitTest {
    private static final App APP = TestApps.app().clientEventRate(0).maxPresenceMembers(2).build();

    /** A socket that keeps what it is sent (nothing here looks). */
    private static Subscriber subscriber(String id) {
        return new RecordingSubscriber(id);
    }

    @Test
    void aNewUserTheClusterFindsFullIsRefusedAndLeavesNothingOnThisNode() {
        AtomicInteger limitAsked = new AtomicInteger(-100);
        ClusterState full = new ClusterState() {
            @Override
            public Optional<Joined> join(String app, String channel, String userKey, String memberJson, int maxMembers) {
                limitAsked.set(maxMembers);
                return Optional.of(new Joined(Entry.FULL, 0));
            }

            @Override
            public Optional<Long> subscriptions(String app, String channel, int delta) {
                throw new AssertionError("a refused join is not counted");
            }
        };
        Broadcasting broadcasting = Broadcasting.of(new LocalRelay("here"), full, WebhookEmitter.NONE, Metrics.NONE,
                Duration.ZERO);
        Membership.Joined joined = broadcasting.membership().subscribe(APP, "presence-room", subscriber("s1"),
                new Member("cid", "\"cid\"", null));
        assertTrue(joined.local().rosterFull());
        assertFalse(joined.firstForUser());
        assertEquals(2, limitAsked.get(), "the cluster is given max_presence_members");
        assertEquals(Optional.empty(), Optional.ofNullable(broadcasting.occupancy().subscriptionCounts(APP).get("presence-room")));
        broadcasting.close();
    }
}
