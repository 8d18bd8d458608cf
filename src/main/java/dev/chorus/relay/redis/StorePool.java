package dev.chorus.relay.redis;

import java.time.Duration;
import java.util.function.Function;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The pooled connections the cluster state talks to Redis over. A pooled connection that fails (Redis
 * restarted, failed over, or the link broke) takes the whole pool with it: the others opened before the
 * fault are as stale. An idempotent call is then tried once more on a fresh pool; anything else fails,
 * since it may have been applied. Either way {@code onLinkFailure} runs first, so the caller's part can be
 * re-reported whole rather than left wrong.
 * <p>Threading: safe from any thread; a call blocks its caller for at most about two socket timeouts
 * (one per try), borrowing included.
 */
final class StorePool implements AutoCloseable {
    /** Connections to the store; callers beyond it wait (at most a socket timeout) for one to come back. */
    static final int SIZE = 32;

    private final RedisEndpoint endpoint;
    private final String clientName;
    private final int socketTimeoutMillis;
    private final Runnable onLinkFailure;
    /** Null until first needed, and again after a connection of it failed. */
    private volatile JedisPooled redis;

    StorePool(RedisEndpoint endpoint, String clientName, int socketTimeoutMillis, Runnable onLinkFailure) {
        this.endpoint = endpoint;
        this.clientName = clientName;
        this.socketTimeoutMillis = socketTimeoutMillis;
        this.onLinkFailure = onLinkFailure;
    }

    /** Errors that say the connection, not the command, is at fault. */
    static boolean linkFailure(RuntimeException e) {
        if (e instanceof JedisConnectionException) {
            return true;
        }
        String message = e instanceof JedisDataException ? String.valueOf(e.getMessage()) : "";
        return message.startsWith("READONLY") || message.startsWith("LOADING") || message.startsWith("MASTERDOWN");
    }

    /**
     * Runs {@code op} on a pooled connection. On a link failure the pool is replaced and the failure
     * reported; an {@code idempotent} op is then tried once more, anything else fails.
     * @throws RuntimeException what the last try threw
     */
    <T> T call(boolean idempotent, Function<JedisPooled, T> op) {
        JedisPooled pool = null;
        try {
            pool = pool();
            return op.apply(pool);
        } catch (RuntimeException e) {
            if (!linkFailure(e)) {
                throw e;
            }
            replace(pool);
            onLinkFailure.run();
            if (!idempotent) {
                throw e;
            }
            JedisPooled fresh = null;
            try {
                fresh = pool();
                return op.apply(fresh);
            } catch (RuntimeException again) {
                if (linkFailure(again)) {
                    replace(fresh);
                }
                throw again;
            }
        }
    }

    private JedisPooled pool() {
        JedisPooled current = redis;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (redis == null) {
                redis = new JedisPooled(endpoint.master(), endpoint.config(clientName, socketTimeoutMillis), poolConfig());
            }
            return redis;
        }
    }

    /**
     * Calls run on the clients' threads, so a borrow waits no longer than a call may: with the pool's default
     * (wait forever), connections that fail to open while Redis dies can leave every waiting thread blocked for
     * good (commons-pool2 creates nothing and wakes nobody).
     */
    private GenericObjectPoolConfig<Connection> poolConfig() {
        ConnectionPoolConfig config = new ConnectionPoolConfig();
        config.setMaxTotal(SIZE);
        config.setMaxIdle(SIZE);
        config.setMaxWait(Duration.ofMillis(socketTimeoutMillis));
        return config;
    }

    /** Drops the pool a failed connection came from: its other connections predate the same fault. */
    private synchronized void replace(JedisPooled failed) {
        if (failed != null && redis == failed) {
            redis = null;
            try {
                failed.close();
            } catch (RuntimeException ignored) {
                // already broken
            }
        }
    }

    @Override
    public void close() {
        JedisPooled pool = redis;
        if (pool != null) {
            pool.close();
        }
    }
}
