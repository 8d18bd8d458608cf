/**
 * {@code RedisRelay}: the relay over Redis pub/sub (Jedis), with its own publisher and subscriber
 * threads, reconnect with backoff, a link watchdog and the {@code OutageBuffer} for envelopes published
 * while Redis is unreachable; {@code RedisClusterState}: the shared state; {@code RedisEndpoint}: where
 * the master is (a fixed address or Redis Sentinel). May use {@code relay}, {@code app} (the scaling
 * settings).
 */
package dev.chorus.relay.redis;
