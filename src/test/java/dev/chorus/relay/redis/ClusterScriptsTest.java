package dev.chorus.relay.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.relay.ClusterState;
import dev.chorus.relay.ClusterState.Entry;
import dev.chorus.relay.ClusterState.Joined;
import dev.chorus.relay.ClusterState.Member;
import dev.chorus.relay.ClusterState.Roster;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** The Lua steps against a real Redis, two nodes sharing it. */
class ClusterScriptsTest {
    private static final long ALIVE = 60_000;
    @RegisterExtension
    static final RealRedis redis = new RealRedis();
    private final ClusterKeys keys = new ClusterKeys("test");
    private StorePool pool;
    private ClusterScripts n1;
    private ClusterScripts n2;

    @BeforeEach
    void connect() {
        redis.flush();
        pool = new StorePool(new RedisEndpoint(redis.scaling()), "chorus-state-test", 2_000, () -> { });
        n1 = new ClusterScripts(pool, keys, "n1");
        n2 = new ClusterScripts(pool, keys, "n2");
    }

    @AfterEach
    void disconnect() {
        pool.close();
    }

    @Test
    void theFirstNodeToJoinAUserIsTheClustersFirstAndTheLastToLeaveGetsTheMemberBack() {
        assertEquals(Entry.FIRST, n1.join("1", "presence-a", "u", "{\"user_id\":\"u\"}", -1).entry());
        assertEquals(Entry.AGAIN, n2.join("1", "presence-a", "u", "{\"user_id\":\"u\"}", -1).entry());
        assertNull(n1.leave("1", "presence-a", "u"), "n2 still has the user");
        assertEquals("{\"user_id\":\"u\"}", n2.leave("1", "presence-a", "u").memberJson());
    }

    @Test
    void everyRosterChangeGetsAHigherVersionThanTheRosterReadBeforeItAndNoOtherStepBumpsIt() {
        Joined first = n1.join("1", "presence-a", "u", "{}", -1);
        Roster afterJoin = n2.roster("1", "presence-a");
        assertEquals(Map.of("u", "{}"), afterJoin.members());
        assertEquals(first.version(), afterJoin.version(), "a read after the join has exactly its version");

        assertEquals(new Joined(Entry.AGAIN, 0), n2.join("1", "presence-a", "u", "{}", -1), "no change, no version");
        assertNull(n1.leave("1", "presence-a", "u"));
        assertEquals(afterJoin.version(), n1.roster("1", "presence-a").version(), "joins and leaves that change nothing keep it");

        ClusterScripts.Left left = n2.leave("1", "presence-a", "u");
        assertTrue(left.version() > afterJoin.version(), left + " after " + afterJoin);
        Roster empty = n1.roster("1", "presence-a");
        assertEquals(Map.of(), empty.members());
        assertEquals(left.version(), empty.version());
        assertEquals(0, n1.roster("1", "presence-never").version(), "a roster never changed has version 0");
    }

    @Test
    void signedInUsersAreCountedWithoutARosterVersion() {
        assertEquals(new Joined(Entry.FIRST, 0), n1.join("1", ClusterState.SIGNED_IN, "u", "{}", -1));
        assertEquals(new ClusterScripts.Left("{}", 0), n1.leave("1", ClusterState.SIGNED_IN, "u"));
        try (Jedis admin = redis.admin()) {
            assertFalse(admin.exists(keys.rosterVersion("1", ClusterState.SIGNED_IN)));
        }
    }

    @Test
    void versionsKeepGrowingWhenTheVersionKeyIsGoneAndNeverLoseDigits() {
        long before = n1.join("1", "presence-a", "u1", "{}", -1).version();
        assertTrue(before > 1_600_000_000_000_000L, "microseconds of Redis's clock: " + before);
        try (Jedis admin = redis.admin()) {
            assertEquals(String.valueOf(before), admin.get(keys.rosterVersion("1", "presence-a")), "written as an integer");
            assertTrue(admin.pttl(keys.rosterVersion("1", "presence-a")) > 0, "expires a while after the last change");
            admin.set(keys.rosterVersion("1", "presence-a"), String.valueOf(before + 10_000_000_000L));
        }
        assertEquals(before + 10_000_000_001L, n1.join("1", "presence-a", "u2", "{}", -1).version(),
                "a version ahead of the clock is followed, not gone back on");
        try (Jedis admin = redis.admin()) {
            admin.del(keys.rosterVersion("1", "presence-a"));
        }
        assertTrue(n2.join("1", "presence-a", "u3", "{}", -1).version() > before, "after the key expired: the clock");
    }

    @Test
    void aChannelAtItsMemberLimitRefusesANewUserButNotOneAlreadyIn() {
        assertEquals(Entry.FIRST, n1.join("1", "presence-a", "u1", "{}", 2).entry());
        assertEquals(Entry.FIRST, n2.join("1", "presence-a", "u2", "{}", 2).entry());
        assertEquals(Entry.FULL, n1.join("1", "presence-a", "u3", "{}", 2).entry());
        assertEquals(Entry.AGAIN, n1.join("1", "presence-a", "u2", "{}", 2).entry());
        try (Jedis admin = redis.admin()) {
            assertEquals(2, admin.hlen(keys.roster("1", "presence-a")));
        }
    }

    @Test
    void aChannelsTotalCountsOnlyNodesWhoseHeartbeatIsThere() {
        n1.beat(ALIVE);
        n2.beat(ALIVE);
        assertEquals(2, n1.subscribe("1", "news", 2));
        assertEquals(3, n2.subscribe("1", "news", 1));
        try (Jedis admin = redis.admin()) {
            admin.del(keys.heartbeat("n2"));
        }
        assertEquals(2, n1.subscribe("1", "news", 0));
        assertEquals(0, n1.subscribe("1", "news", -2), "this node's count stays its own even without a heartbeat");
    }

    @Test
    void aBeatTellsWhetherTheStoreStillKnewThisNode() {
        assertFalse(n1.beat(ALIVE), "a store that never saw the node has forgotten it");
        assertTrue(n1.beat(ALIVE));
        redis.flush();
        assertFalse(n1.beat(ALIVE), "a store restarted empty has forgotten it");
    }

    @Test
    void reapingADeadNodeRemovesItsPartAndTellsWhatWent() {
        n1.beat(ALIVE);
        n2.join("1", "presence-a", "u1", "{\"user_id\":\"u1\"}", -1);
        n2.join("1", "presence-a", "u2", "{}", -1);
        n1.join("1", "presence-a", "u2", "{}", -1);
        n2.subscribe("1", "news", 1);
        n2.add(keys.connections("1"), "n2", 3);

        long before = n1.roster("1", "presence-a").version();
        Reaped reaped = n1.reap("n2", List.of("1"));

        assertEquals(1, reaped.gone().size(), "u2 is still on n1: " + reaped.gone());
        Member gone = reaped.gone().get(0);
        assertEquals(new Member("1", "presence-a", "u1", "{\"user_id\":\"u1\"}", gone.version()), gone);
        assertTrue(gone.version() > before, "the reap changed the roster: a new version");
        assertEquals(gone.version(), n1.roster("1", "presence-a").version());
        assertEquals(List.of(new Reaped.Channel("1", "news")), reaped.channels());
        try (Jedis admin = redis.admin()) {
            assertEquals(Map.of("u2", "{}"), admin.hgetAll(keys.roster("1", "presence-a")));
            assertFalse(admin.exists(keys.nodePresence("n2")));
            assertFalse(admin.exists(keys.subscriptions("1", "n2")));
            assertFalse(admin.hexists(keys.connections("1"), "n2"));
            assertFalse(admin.sismember(keys.nodes(), "n2"));
        }
    }

    @Test
    void aNodeWhoseHeartbeatIsBackIsNotReaped() {
        n2.beat(ALIVE);
        n2.join("1", "presence-a", "u", "{}", -1);
        assertNull(n1.reap("n2", List.of("1")));
        try (Jedis admin = redis.admin()) {
            assertEquals(1, admin.hlen(keys.roster("1", "presence-a")));
        }
    }

    @Test
    void theBackendRateCountIsSharedAndExpiresOnItsOwn() {
        assertEquals(3, n1.rate("1", "api", 1_700_000_000L, 3));
        assertEquals(5, n2.rate("1", "api", 1_700_000_000L, 2));
        try (Jedis admin = redis.admin()) {
            assertTrue(admin.pttl(keys.rate("1", "api", 1_700_000_000L)) > 0);
        }
    }
}
