package dev.chorus.relay.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ClientKillParams;

class StorePoolTest {
    @RegisterExtension
    static final RealRedis redis = new RealRedis();
    private final AtomicInteger failures = new AtomicInteger();
    private StorePool pool;

    @BeforeEach
    void openPool() {
        redis.flush();
        pool = new StorePool(new RedisEndpoint(redis.scaling()), "chorus-state-test", 2_000, failures::incrementAndGet);
    }

    @AfterEach
    void closePool() {
        pool.close();
    }

    /** What a Redis restart does to the pool's connections, without the wait for the restart. */
    private static void killPooledConnections() {
        try (Jedis admin = redis.admin()) {
            admin.clientKill(ClientKillParams.clientKillParams().type(ClientType.NORMAL).skipMe(ClientKillParams.SkipMe.YES));
        }
    }

    @Test
    void anIdempotentCallWhoseConnectionDiedIsTriedOnceMoreOnAFreshPoolAndTheFailureReported() {
        pool.call(true, store -> store.set("k", "v"));
        killPooledConnections();
        assertEquals("v", pool.call(true, store -> store.get("k")));
        assertEquals(1, failures.get());
    }

    @Test
    void aCounterUpdateWhoseConnectionDiedFailsRatherThanRiskCountingTwice() {
        pool.call(true, store -> store.set("k", "v"));
        killPooledConnections();
        assertThrows(JedisConnectionException.class, () -> pool.call(false, store -> store.incr("count")));
        assertEquals(1, failures.get());
        assertNull(pool.call(true, store -> store.get("count")), "the failed try never reached Redis here");
        assertEquals(1, failures.get(), "the next call gets a fresh pool, not another stale connection");
    }

    @Test
    void anErrorOfTheCommandItselfIsNeitherRetriedNorALinkFailure() {
        pool.call(true, store -> store.set("k", "v"));
        AtomicInteger tries = new AtomicInteger();
        assertThrows(JedisDataException.class, () -> pool.call(true, store -> {
            tries.incrementAndGet();
            return store.incr("k");
        }));
        assertEquals(1, tries.get());
        assertEquals(0, failures.get());
    }

    @Test
    void connectionErrorsAndAReplicaOrLoadingServerCountAsLinkFailures() {
        assertTrue(StorePool.linkFailure(new JedisConnectionException("Unexpected end of stream.")));
        assertTrue(StorePool.linkFailure(new JedisDataException("READONLY You can't write against a read only replica.")));
        assertTrue(StorePool.linkFailure(new JedisDataException("LOADING Redis is loading the dataset in memory")));
        assertTrue(StorePool.linkFailure(new JedisDataException("MASTERDOWN Link with MASTER is down")));
        assertFalse(StorePool.linkFailure(new JedisDataException("ERR Error running script")));
        assertFalse(StorePool.linkFailure(new IllegalStateException("x")));
    }
}
