package dev.chorus.relay.redis;

import dev.chorus.app.Scaling;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Where this node's connections to Redis go: the configured address, or the master the sentinels name
 * now. Asked on every (re)connect, so after a failover the next connection reaches the new master.
 * Every connection it opens has answered a PING (and, behind Sentinel, said it is the master) before
 * it carries work. Safe from any thread; each call may block for a connect timeout per address tried.
 */
final class RedisEndpoint {
    private final Scaling scaling;
    private final List<HostAndPort> sentinels = new ArrayList<>();
    private final JedisClientConfig sentinelConfig;

    RedisEndpoint(Scaling scaling) {
        this.scaling = scaling;
        Scaling.Sentinel sentinel = scaling.sentinel();
        if (sentinel != null) {
            for (String address : sentinel.addresses()) {
                int colon = address.lastIndexOf(':');
                sentinels.add(new HostAndPort(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))));
            }
            sentinelConfig = DefaultJedisClientConfig.builder().user(sentinel.username()).password(sentinel.password())
                    .ssl(scaling.tls()).connectionTimeoutMillis(1_000).socketTimeoutMillis(1_000).build();
        } else {
            sentinelConfig = null;
        }
    }

    /** Settings of a connection to the master; the socket timeout bounds every blocking call on it. */
    JedisClientConfig config(String clientName, int socketTimeoutMillis) {
        return DefaultJedisClientConfig.builder()
                .user(scaling.username())
                .password(scaling.password())
                .database(scaling.database())
                .ssl(scaling.tls())
                .connectionTimeoutMillis(Math.min(2_000, socketTimeoutMillis))
                .socketTimeoutMillis(socketTimeoutMillis)
                .clientName(clientName)
                .build();
    }

    /**
     * The master's address now.
     * @throws JedisConnectionException when no sentinel answered with one
     */
    HostAndPort master() {
        if (sentinels.isEmpty()) {
            return new HostAndPort(scaling.host(), scaling.port());
        }
        RuntimeException last = null;
        for (HostAndPort sentinel : sentinels) {
            try (Jedis jedis = new Jedis(sentinel, sentinelConfig)) {
                List<String> address = jedis.sentinelGetMasterAddrByName(scaling.sentinel().master());
                if (address != null && address.size() == 2) {
                    return new HostAndPort(address.get(0), Integer.parseInt(address.get(1)));
                }
                last = new JedisConnectionException("sentinel " + sentinel + " knows no master '" + scaling.sentinel().master() + "'");
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new JedisConnectionException("no sentinel named the master: " + (last == null ? "none configured" : last.getMessage()));
    }

    /** True when connections are found through Sentinel. */
    boolean sentineled() {
        return !sentinels.isEmpty();
    }

    /**
     * A fresh connection to the master that has answered; the caller closes it.
     * @throws RuntimeException when Redis cannot be reached or the address is not the master
     */
    Jedis connect(String clientName, int socketTimeoutMillis) {
        Jedis jedis = new Jedis(master(), config(clientName, socketTimeoutMillis));
        try {
            jedis.ping();
            checkMaster(jedis);
            return jedis;
        } catch (RuntimeException e) {
            jedis.close();
            throw e;
        }
    }

    /** Behind Sentinel, a demoted master still takes PUBLISH but relays it to nobody: refuse it. */
    void checkMaster(Jedis jedis) {
        if (sentineled()) {
            List<Object> role = jedis.role();
            Object kind = role.isEmpty() ? null : role.get(0);
            String name = kind instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(kind);
            if (!"master".equals(name)) {
                throw new JedisConnectionException("the sentinels' master answers as " + name + " (failover in progress)");
            }
        }
    }
}
