/**
 * The relay and the shared cluster state over Redis. May use {@code relay}, {@code app} (the scaling settings).
 * <p>{@code RedisRelay} (the {@code Relay}): a {@code Publisher} thread that takes the {@code Outbox} in
 * batches and holds what it cannot send in the {@code OutageBuffer}, a {@code Subscriber} thread with its
 * link watchdog and {@code Duplicates} filter, {@code LinkState} for up/down and the outage log lines, and
 * {@code Backoff} for reconnects.
 * <p>{@code RedisClusterState} (the {@code ClusterState}): {@code ClusterKeys} (the key layout) and
 * {@code PresenceEntry}, {@code ClusterScripts} (the atomic Lua steps), {@code StorePool} (pooled
 * connections, retry once, a failed pool dropped), {@code Heartbeat} (alive, and reaping dead nodes into
 * {@code Reaped}) and {@code PartReport} (the re-report after the store lost this node's part).
 * <p>{@code RedisEndpoint}: where the master is (a fixed address or Redis Sentinel), for both.
 */
package dev.chorus.relay.redis;
