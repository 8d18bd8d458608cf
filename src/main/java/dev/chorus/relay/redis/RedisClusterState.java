package dev.chorus.relay.redis;

import dev.chorus.app.Scaling;
import dev.chorus.relay.ClusterState;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.params.SetParams;

/**
 * {@link ClusterState} in Redis. Each node writes only its own part, and atomic scripts
 * ({@link ClusterScripts}) keep per-user node sets, so "first connection anywhere" and "last connection
 * anywhere" are decided once for the cluster. The {@link Heartbeat} keeps this node alive and reaps dead
 * ones; {@link ClusterKeys} has the key layout.
 * <p>While the relay reports the link down, every call answers empty at once instead of waiting for
 * a timeout, so an outage never stalls a client's thread.
 * <p>Faults: a failed connection takes its whole pool with it and idempotent calls are tried once more on a
 * fresh one ({@link StorePool}). Whatever a failure or an outage may have left wrong marks this node's part
 * dirty ({@link #onDirty}), so it is re-reported whole ({@link PartReport}) rather than left wrong: a write
 * skipped or failed, or a heartbeat that found the store no longer knows this node.
 * <p>Threading: every method is safe from any thread and blocks for at most a round trip (two when retried).
 */
public final class RedisClusterState implements ClusterState, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisClusterState.class);

    private final String nodeId;
    private final BooleanSupplier linkUp;
    private final ClusterKeys keys;
    private final StorePool store;
    private final ClusterScripts scripts;
    private final Heartbeat heartbeat;
    private final PartReport report;
    private volatile Consumer<Member> memberGone = member -> { };
    private volatile BiConsumer<String, String> subscriptionsGone = (app, channel) -> { };
    private volatile Runnable dirty = () -> { };

    public RedisClusterState(Scaling scaling, String nodeId, Collection<String> appIds, BooleanSupplier linkUp) {
        this.nodeId = nodeId;
        this.linkUp = linkUp;
        this.keys = new ClusterKeys(scaling.prefix());
        List<String> apps = List.copyOf(appIds);
        // Within the ping timeout, so a paused Redis holds a caller no longer than it takes the relay to call it down.
        int socketTimeoutMillis = (int) Math.min(2_000, scaling.link().pingTimeout().toMillis());
        this.store = new StorePool(new RedisEndpoint(scaling), "chorus-state-" + nodeId, socketTimeoutMillis, this::markDirty);
        this.scripts = new ClusterScripts(store, keys, nodeId);
        // Through the fields, not their values now: the listeners are set after construction.
        this.heartbeat = new Heartbeat(store, scripts, keys, nodeId, scaling.nodeTimeout().toMillis(), apps, linkUp, this::markDirty,
                member -> memberGone.accept(member), (app, channel) -> subscriptionsGone.accept(app, channel));
        this.report = new PartReport(store, scripts, keys, nodeId, apps, heartbeat, member -> memberGone.accept(member));
        heartbeat.start();
    }

    private boolean down() {
        return !linkUp.getAsBoolean();
    }

    private void markDirty() {
        try {
            dirty.run();
        } catch (RuntimeException e) {
            LOG.error("Scheduling a re-report failed", e);
        }
    }

    @Override
    public void onDirty(Runnable listener) {
        this.dirty = listener;
    }

    @Override
    public Optional<Boolean> join(String app, String channel, String userKey, String memberJson) {
        return join(app, channel, userKey, memberJson, -1).map(joined -> joined.entry() == Entry.FIRST);
    }

    @Override
    public Optional<Joined> join(String app, String channel, String userKey, String memberJson, int maxMembers) {
        if (down()) {
            markDirty();
            return Optional.empty();
        }
        try {
            return Optional.of(scripts.join(app, channel, userKey, memberJson, maxMembers));
        } catch (RuntimeException e) {
            markDirty();
            return Optional.empty();
        }
    }

    @Override
    public Optional<Long> rate(String app, String kind, long epochSecond, int points) {
        if (down()) {
            return Optional.empty();
        }
        try {
            // The key lives two seconds, so nothing to re-report.
            return Optional.of(scripts.rate(app, kind, epochSecond, points));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Left> leave(String app, String channel, String userKey) {
        if (down()) {
            markDirty();
            return Optional.empty();
        }
        try {
            ClusterScripts.Left left = scripts.leave(app, channel, userKey);
            return Optional.of(left == null ? new Left(false, 0) : new Left(true, left.version()));
        } catch (RuntimeException e) {
            markDirty();
            return Optional.empty();
        }
    }

    @Override
    public Optional<Map<String, String>> roster(String app, String channel) {
        return read(redis -> redis.hgetAll(keys.roster(app, channel)));
    }

    @Override
    public Optional<Roster> presence(String app, String channel) {
        if (down()) {
            return Optional.empty();
        }
        try {
            return Optional.of(scripts.roster(app, channel));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Reads are idempotent, so retried once; one that still fails answers empty. */
    private <T> Optional<T> read(Function<JedisPooled, T> op) {
        if (down()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(store.call(true, op));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Set<String>> present(String app, String channel, Collection<String> userKeys) {
        if (userKeys.isEmpty()) {
            return down() ? Optional.empty() : Optional.of(Set.of());
        }
        List<String> users = List.copyOf(userKeys);
        return read(redis -> {
            List<String> members = redis.hmget(keys.roster(app, channel), users.toArray(String[]::new));
            Set<String> present = new HashSet<>();
            for (int i = 0; i < users.size(); i++) {
                if (members.get(i) != null) {
                    present.add(users.get(i));
                }
            }
            return present;
        });
    }

    @Override
    public Optional<Long> subscriptions(String app, String channel, int delta) {
        if (down()) {
            if (delta != 0) {
                markDirty();
            }
            return Optional.empty();
        }
        try {
            return Optional.of(scripts.subscribe(app, channel, delta));
        } catch (RuntimeException e) {
            // The re-report rewrites this node's counts.
            markDirty();
            return Optional.empty();
        }
    }

    @Override
    public void connections(String app, int delta) {
        if (down()) {
            markDirty();
            return;
        }
        try {
            scripts.add(keys.connections(app), nodeId, delta);
        } catch (RuntimeException e) {
            // The re-report rewrites this node's counts.
            markDirty();
        }
    }

    @Override
    public void cache(String app, String channel, String frame, long ttlMillis) {
        if (down()) {
            markDirty();
            return;
        }
        try {
            store.call(true, redis -> redis.set(keys.cache(app, channel), frame, SetParams.setParams().px(ttlMillis)));
        } catch (RuntimeException e) {
            // This node still caches it locally, and re-reports it.
            markDirty();
        }
    }

    @Override
    public Optional<String> cached(String app, String channel) {
        return read(redis -> redis.get(keys.cache(app, channel)));
    }

    @Override
    public Optional<Map<String, Long>> subscriptionCounts(String app) {
        return read(redis -> {
            Map<String, Long> total = new HashMap<>();
            for (String node : liveNodes(redis)) {
                redis.hgetAll(keys.subscriptions(app, node)).forEach((channel, count) ->
                        total.merge(channel, Long.parseLong(count), Long::sum));
            }
            total.values().removeIf(count -> count <= 0);
            return total;
        });
    }

    @Override
    public Optional<Long> connectionCount(String app) {
        return read(redis -> {
            Set<String> live = liveNodes(redis);
            long total = 0;
            for (Map.Entry<String, String> entry : redis.hgetAll(keys.connections(app)).entrySet()) {
                if (live.contains(entry.getKey())) {
                    total += Long.parseLong(entry.getValue());
                }
            }
            return total;
        });
    }

    @Override
    public Optional<Set<String>> nodes() {
        return read(this::liveNodes);
    }

    /** Nodes whose heartbeat has not expired, this one included. */
    private Set<String> liveNodes(JedisPooled redis) {
        Set<String> live = new HashSet<>();
        for (String node : redis.smembers(keys.nodes())) {
            if (node.equals(nodeId) || redis.exists(keys.heartbeat(node))) {
                live.add(node);
            }
        }
        live.add(nodeId);
        return live;
    }

    @Override
    public List<Member> resync(LocalPart part) {
        if (down()) {
            throw new IllegalStateException("the Redis link is down");
        }
        return report.write(part);
    }

    @Override
    public void onSubscriptionsGone(BiConsumer<String, String> listener) {
        this.subscriptionsGone = listener;
    }

    @Override
    public void onMemberGone(Consumer<Member> listener) {
        this.memberGone = listener;
    }

    /** Leaves the cluster cleanly: this node's part is removed now, not after the timeout. */
    @Override
    public void close() {
        heartbeat.close();
        store.close();
    }
}
