package dev.chorus.relay.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.relay.ClusterState.Member;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

class HeartbeatTest {
    @RegisterExtension
    static final RealRedis redis = new RealRedis();
    private final ClusterKeys keys = new ClusterKeys("test");
    private final AtomicBoolean linkUp = new AtomicBoolean(true);
    private StorePool pool;

    @BeforeEach
    void connect() {
        redis.flush();
        pool = new StorePool(new RedisEndpoint(redis.scaling()), "chorus-state-test", 2_000, () -> { });
    }

    @AfterEach
    void disconnect() {
        pool.close();
    }

    private Heartbeat heartbeat(String node, Runnable forgotten, Consumer<Member> memberGone) {
        return new Heartbeat(pool, new ClusterScripts(pool, keys, node), keys, node, 3_000, List.of("1"), linkUp::get,
                forgotten, memberGone, (app, channel) -> { });
    }

    @Test
    void aNodeWhoseHeartbeatExpiredIsReapedAndItsLastMembersAnnounced() throws Exception {
        ClusterScripts dead = new ClusterScripts(pool, keys, "n2");
        dead.beat(1);
        dead.join("1", "presence-a", "u", "{\"user_id\":\"u\"}", -1);
        CompletableFuture<Member> gone = new CompletableFuture<>();
        try (Heartbeat n1 = heartbeat("n1", () -> { }, gone::complete)) {
            n1.start();
            Member member = gone.get(10, TimeUnit.SECONDS);
            assertEquals(new Member("1", "presence-a", "u", "{\"user_id\":\"u\"}", member.version()), member);
            assertTrue(member.version() > 0, "announced with the version the reap gave the roster");
        }
    }

    @Test
    void aBeatThatFindsThisNodeForgottenSaysSoSoThePartIsReReported() throws Exception {
        CountDownLatch forgotten = new CountDownLatch(1);
        try (Heartbeat n1 = heartbeat("n1", forgotten::countDown, member -> { })) {
            n1.start();
            assertTrue(forgotten.await(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aRenewalForTheReReportDoesNotAskForAnotherReReport() {
        AtomicBoolean forgotten = new AtomicBoolean();
        try (Heartbeat n1 = heartbeat("n1", () -> forgotten.set(true), member -> { })) {
            n1.renew(false);
            assertFalse(forgotten.get());
            try (Jedis admin = redis.admin()) {
                assertTrue(admin.exists(keys.heartbeat("n1")));
            }
        }
    }

    @Test
    void closingRemovesThisNodesPartAtOnceInsteadOfAfterTheTimeout() {
        Heartbeat n1 = heartbeat("n1", () -> { }, member -> { });
        n1.renew(false);
        new ClusterScripts(pool, keys, "n1").join("1", "presence-a", "u", "{}", -1);
        n1.close();
        try (Jedis admin = redis.admin()) {
            assertFalse(admin.exists(keys.heartbeat("n1")));
            assertFalse(admin.exists(keys.roster("1", "presence-a")));
            assertFalse(admin.sismember(keys.nodes(), "n1"));
        }
    }

    @Test
    void whileTheLinkIsDownClosingLeavesThePartForTheOthersToReap() {
        Heartbeat n1 = heartbeat("n1", () -> { }, member -> { });
        n1.renew(false);
        linkUp.set(false);
        n1.close();
        try (Jedis admin = redis.admin()) {
            assertTrue(admin.exists(keys.heartbeat("n1")));
        }
    }

    @Test
    void theHeartbeatComesThreeTimesPerTimeoutButNotMoreThanOncePerSecond() {
        assertEquals(10_000, Heartbeat.period(30_000));
        assertEquals(1_000, Heartbeat.period(1_500));
    }
}
