package dev.chorus.relay.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.relay.ClusterState.Cached;
import dev.chorus.relay.ClusterState.LocalPart;
import dev.chorus.relay.ClusterState.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

class PartReportTest {
    @RegisterExtension
    static final RealRedis redis = new RealRedis();
    private final ClusterKeys keys = new ClusterKeys("test");
    private final List<Member> gone = new ArrayList<>();
    private StorePool pool;
    private ClusterScripts scripts;
    private PartReport report;

    @BeforeEach
    void connect() {
        redis.flush();
        pool = new StorePool(new RedisEndpoint(redis.scaling()), "chorus-state-test", 2_000, () -> { });
        scripts = new ClusterScripts(pool, keys, "n1");
        Heartbeat heartbeat = new Heartbeat(pool, scripts, keys, "n1", 30_000, List.of("1"), () -> true, () -> { }, member -> { },
                (app, channel) -> { });
        report = new PartReport(pool, scripts, keys, "n1", List.of("1"), heartbeat, gone::add);
    }

    @AfterEach
    void disconnect() {
        pool.close();
    }

    private static LocalPart part(Map<String, Map<String, String>> members) {
        return new LocalPart(Map.of("1", Map.of("news", 2)), Map.of("1", 3), Map.of("1", members),
                Map.of("1", Map.of("cache-a", new Cached("kept frame", 60_000))));
    }

    @Test
    void aStoreRestartedEmptyGetsThePartBackAndTheMembersAreFirstAgain() {
        List<Member> first = report.write(part(Map.of("presence-a", Map.of("u", "{}"))));
        assertEquals(List.of(new Member("1", "presence-a", "u", "{}", scripts.roster("1", "presence-a").version())), first,
                "announced with the version its join gave the roster");
        try (Jedis admin = redis.admin()) {
            assertEquals(Map.of("news", "2"), admin.hgetAll(keys.subscriptions("1", "n1")));
            assertEquals("3", admin.hget(keys.connections("1"), "n1"));
            assertEquals(Map.of("u", "{}"), admin.hgetAll(keys.roster("1", "presence-a")));
            assertEquals("kept frame", admin.get(keys.cache("1", "cache-a")));
            assertEquals(true, admin.exists(keys.heartbeat("n1")));
        }
    }

    @Test
    void writingThePartAgainLeavesTheStoreAsOnceAndAnnouncesNobodyTwice() {
        LocalPart part = part(Map.of("presence-a", Map.of("u", "{}")));
        report.write(part);
        assertEquals(List.of(), report.write(part));
        try (Jedis admin = redis.admin()) {
            assertEquals(Map.of("news", "2"), admin.hgetAll(keys.subscriptions("1", "n1")));
        }
    }

    @Test
    void membersWhoLeftWhileTheStoreWasAwayAreRemovedAndAnnouncedAsGone() {
        scripts.join("1", "presence-a", "left", "{\"user_id\":\"left\"}", -1);
        scripts.join("1", "presence-a", "stays", "{}", -1);
        report.write(part(Map.of("presence-a", Map.of("stays", "{}"))));
        assertEquals(List.of(new Member("1", "presence-a", "left", "{\"user_id\":\"left\"}", scripts.roster("1", "presence-a").version())),
                gone, "announced with the version its leave gave the roster");
        try (Jedis admin = redis.admin()) {
            assertEquals(Map.of("stays", "{}"), admin.hgetAll(keys.roster("1", "presence-a")));
        }
    }

    @Test
    void countsAreReplacedWholeAndANewerCachedEventIsKept() {
        try (Jedis admin = redis.admin()) {
            admin.hset(keys.subscriptions("1", "n1"), "stale", "5");
            admin.set(keys.cache("1", "cache-a"), "newer frame");
        }
        report.write(new LocalPart(Map.of(), Map.of(), Map.of(), Map.of("1", Map.of("cache-a", new Cached("kept frame", 60_000)))));
        try (Jedis admin = redis.admin()) {
            assertEquals(Map.of(), admin.hgetAll(keys.subscriptions("1", "n1")));
            assertEquals(null, admin.hget(keys.connections("1"), "n1"));
            assertEquals("newer frame", admin.get(keys.cache("1", "cache-a")));
        }
    }
}
