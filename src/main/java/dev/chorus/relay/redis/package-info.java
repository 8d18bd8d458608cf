/**
 * {@code RedisRelay}: the relay over Redis pub/sub (Jedis), with its own publisher and subscriber
 * threads and reconnect with backoff. May use {@code relay}, {@code app} (the scaling settings).
 */
package dev.chorus.relay.redis;
