package dev.chorus.relay.redis;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.chorus.app.Scaling;
import dev.chorus.relay.ClusterState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.time.Duration;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

/**
 * {@link ClusterState} in Redis. Each node writes only its own part, and the atomic scripts below
 * keep per-user node sets, so "first connection anywhere" and "last connection anywhere" are decided
 * once for the cluster. A node heartbeats every third of the node timeout; a node whose heartbeat
 * expired is reaped by whichever live node takes its reap lock first, which removes its presence
 * members (announcing each user whose last connection it held) and its counts.
 * <p>Keys, under the scaling prefix {@code p}: {@code p:nodes} (set), {@code p:node:{id}} (heartbeat),
 * {@code p:np:{id}} (the node's presence entries), {@code p:pm:{app}:{channel}} (user → member JSON),
 * {@code p:pn:{app}:{channel}:{user}} (nodes holding the user), {@code p:subs:{app}:{id}} (channel →
 * count), {@code p:conns:{app}} (node → count), {@code p:cache:{app}:{channel}} (last event, with its TTL).
 * <p>While the relay reports the link down, every call answers empty at once instead of waiting for
 * a timeout, so an outage never stalls a client's thread.
 * <p>Connections: a pooled connection that fails (Redis restarted, failed over, or the link broke) takes
 * the whole pool with it: the others opened before the fault are as stale. Idempotent calls (reads,
 * {@code SET}, the join and leave scripts) are then tried once more on a fresh pool; counter updates are
 * not, since they may have been applied. Either way the node's part is marked dirty ({@link #onDirty}),
 * so it is re-reported whole rather than left wrong. The heartbeat notices a store that no longer knows
 * this node (restarted empty, an unsynced replica promoted, or this node reaped while cut off) and marks
 * it dirty too.
 */
public final class RedisClusterState implements ClusterState, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisClusterState.class);
    private static final String SEP = "\u0000";
    /** Connections to the store; callers beyond it wait (at most a socket timeout) for one to come back. */
    private static final int POOL_SIZE = 32;

    // ARGV[5] is max_presence_members (negative: none); KEYS[1] holds one field per distinct user in the
    // channel over all nodes, so its length is the cluster's member count, checked and added atomically.
    private static final String JOIN = """
            local limit = tonumber(ARGV[5])
            if limit >= 0 and redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= limit then
              return -1
            end
            redis.call('SADD', KEYS[3], ARGV[4])
            local added = redis.call('SADD', KEYS[2], ARGV[3])
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            if added == 1 and redis.call('SCARD', KEYS[2]) == 1 then return 1 end
            return 0
            """;
    private static final String LEAVE = """
            redis.call('SREM', KEYS[3], ARGV[3])
            redis.call('SREM', KEYS[2], ARGV[2])
            if redis.call('SCARD', KEYS[2]) == 0 then
              local member = redis.call('HGET', KEYS[1], ARGV[1])
              redis.call('HDEL', KEYS[1], ARGV[1])
              if member then return member end
              return ''
            end
            return false
            """;
    private static final String SUBSCRIBE = """
            local value = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
            if value <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
            local total = math.max(value, 0)
            for _, node in ipairs(redis.call('SMEMBERS', KEYS[2])) do
              if node ~= ARGV[5] and redis.call('EXISTS', ARGV[4] .. node) == 1 then
                local count = redis.call('HGET', ARGV[3] .. node, ARGV[1])
                if count then total = total + tonumber(count) end
              end
            end
            return total
            """;
    // 1 when this node's heartbeat was still there: 0 means the store lost or reaped this node's part.
    private static final String BEAT = """
            local had = redis.call('EXISTS', KEYS[1])
            redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
            redis.call('SADD', KEYS[2], ARGV[2])
            return had
            """;
    // Removes a dead node's part in one step, unless its heartbeat is back: a node that returns while it is
    // being reaped then either finds its part untouched or re-reports it after the reap, never in between.
    // ARGV: prefix, node, app ids...; returns {entry, member JSON, ...} of users gone from the cluster and
    // {app NUL channel, ...} of channels whose counts changed, or false when the node is alive.
    private static final String REAP = """
            local p, node = ARGV[1], ARGV[2]
            if redis.call('EXISTS', p .. ':node:' .. node) == 1 then return false end
            local gone, channels = {}, {}
            for _, entry in ipairs(redis.call('SMEMBERS', p .. ':np:' .. node)) do
              local first = string.find(entry, '\\0', 1, true)
              local second = first and string.find(entry, '\\0', first + 1, true)
              if second then
                local app, channel, user = string.sub(entry, 1, first - 1), string.sub(entry, first + 1, second - 1), string.sub(entry, second + 1)
                local holders = p .. ':pn:' .. app .. ':' .. channel .. ':' .. user
                redis.call('SREM', holders, node)
                if redis.call('SCARD', holders) == 0 then
                  local roster = p .. ':pm:' .. app .. ':' .. channel
                  local member = redis.call('HGET', roster, user)
                  redis.call('HDEL', roster, user)
                  if member then
                    table.insert(gone, entry)
                    table.insert(gone, member)
                  end
                end
              end
            end
            redis.call('DEL', p .. ':np:' .. node)
            for i = 3, #ARGV do
              local subs = p .. ':subs:' .. ARGV[i] .. ':' .. node
              for _, channel in ipairs(redis.call('HKEYS', subs)) do
                table.insert(channels, ARGV[i] .. '\\0' .. channel)
              end
              redis.call('DEL', subs)
              redis.call('HDEL', p .. ':conns:' .. ARGV[i], node)
            end
            redis.call('SREM', p .. ':nodes', node)
            return {gone, channels}
            """;
    private static final String ADD = """
            local value = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
            if value <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
            return value
            """;
    // One key per app, kind and second; it outlives its second by one so a slow node's late INCR is not lost
    // to a fresh key, and then expires on its own.
    private static final String RATE = """
            local value = redis.call('INCRBY', KEYS[1], ARGV[1])
            if value == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], 2000) end
            return value
            """;

    private final String prefix;
    private final String nodeId;
    private final long timeoutMillis;
    private final Collection<String> appIds;
    private final BooleanSupplier linkUp;
    private final RedisEndpoint endpoint;
    private final int socketTimeoutMillis;
    private final ScheduledExecutorService heartbeat;
    /** Null until first needed, and again after a connection of it failed. */
    private volatile JedisPooled redis;
    private volatile Consumer<Member> memberGone = member -> { };
    private volatile java.util.function.BiConsumer<String, String> subscriptionsGone = (app, channel) -> { };
    private volatile Runnable dirty = () -> { };
    /** Members a failed re-report found first again: announced by the next one that succeeds, not lost with the failure. */
    private final Set<Member> unannounced = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public RedisClusterState(Scaling scaling, String nodeId, Collection<String> appIds, BooleanSupplier linkUp) {
        this.prefix = scaling.prefix();
        this.nodeId = nodeId;
        this.timeoutMillis = scaling.nodeTimeout().toMillis();
        this.appIds = List.copyOf(appIds);
        this.linkUp = linkUp;
        this.endpoint = new RedisEndpoint(scaling);
        // Within the ping timeout, so a paused Redis holds a caller no longer than it takes the relay to call it down.
        this.socketTimeoutMillis = (int) Math.min(2_000, scaling.link().pingTimeout().toMillis());
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "chorus-redis-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(1_000, timeoutMillis / 3);
        heartbeat.scheduleWithFixedDelay(this::beat, 0, period, TimeUnit.MILLISECONDS);
    }

    private String key(String... parts) {
        return prefix + ":" + String.join(":", parts);
    }

    private static String entry(String app, String channel, String userKey) {
        return app + SEP + channel + SEP + userKey;
    }

    private boolean down() {
        return !linkUp.getAsBoolean();
    }

    private JedisPooled pool() {
        JedisPooled current = redis;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (redis == null) {
                redis = new JedisPooled(endpoint.master(), endpoint.config("chorus-state-" + nodeId, socketTimeoutMillis), poolConfig());
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
        config.setMaxTotal(POOL_SIZE);
        config.setMaxIdle(POOL_SIZE);
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

    /** Errors that say the connection, not the command, is at fault. */
    static boolean linkFailure(RuntimeException e) {
        if (e instanceof JedisConnectionException) {
            return true;
        }
        String message = e instanceof JedisDataException ? String.valueOf(e.getMessage()) : "";
        return message.startsWith("READONLY") || message.startsWith("LOADING") || message.startsWith("MASTERDOWN");
    }

    /**
     * Runs {@code op} on a pooled connection. On a link failure the pool is replaced and the part marked
     * dirty; an {@code idempotent} op is then tried once more, anything else fails.
     */
    private <T> T call(boolean idempotent, Function<JedisPooled, T> op) {
        JedisPooled pool = null;
        try {
            pool = pool();
            return op.apply(pool);
        } catch (RuntimeException e) {
            if (!linkFailure(e)) {
                throw e;
            }
            replace(pool);
            markDirty();
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
        return join(app, channel, userKey, memberJson, -1).map(entry -> entry == Entry.FIRST);
    }

    @Override
    public Optional<Entry> join(String app, String channel, String userKey, String memberJson, int maxMembers) {
        if (down()) {
            markDirty();
            return Optional.empty();
        }
        try {
            return Optional.of(joinAs(app, channel, userKey, memberJson, maxMembers));
        } catch (RuntimeException e) {
            markDirty();
            return Optional.empty();
        }
    }

    private Entry joinAs(String app, String channel, String userKey, String memberJson, int maxMembers) {
        Object result = call(true, redis -> redis.eval(JOIN, List.of(key("pm", app, channel), key("pn", app, channel, userKey),
                        key("np", nodeId)), List.of(userKey, memberJson, nodeId, entry(app, channel, userKey), String.valueOf(maxMembers))));
        long code = ((Number) result).longValue();
        return code < 0 ? Entry.FULL : code == 1 ? Entry.FIRST : Entry.AGAIN;
    }

    @Override
    public Optional<Long> rate(String app, String kind, long epochSecond, int points) {
        if (down()) {
            return Optional.empty();
        }
        try {
            // Not retried: the first try may have counted. The key lives two seconds, so nothing to re-report.
            Object total = call(false, redis -> redis.eval(RATE, List.of(key("rate", app, kind, Long.toString(epochSecond))),
                    List.of(String.valueOf(points))));
            return Optional.of(((Number) total).longValue());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Boolean> leave(String app, String channel, String userKey) {
        if (down()) {
            markDirty();
            return Optional.empty();
        }
        try {
            return Optional.of(leaveAs(nodeId, app, channel, userKey) != null);
        } catch (RuntimeException e) {
            markDirty();
            return Optional.empty();
        }
    }

    /** @return the member JSON when that was the user's last node in the channel, else null */
    private String leaveAs(String node, String app, String channel, String userKey) {
        Object member = call(true, redis -> redis.eval(LEAVE, List.of(key("pm", app, channel), key("pn", app, channel, userKey),
                key("np", node)), List.of(userKey, node, entry(app, channel, userKey))));
        return member == null ? null : member.toString();
    }

    @Override
    public Optional<Map<String, String>> roster(String app, String channel) {
        return read(redis -> redis.hgetAll(key("pm", app, channel)));
    }

    private <T> Optional<T> read(Function<JedisPooled, T> op) {
        if (down()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(call(true, op));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Set<String>> present(String app, String channel, Collection<String> userKeys) {
        if (userKeys.isEmpty()) {
            return down() ? Optional.empty() : Optional.of(Set.of());
        }
        List<String> keys = List.copyOf(userKeys);
        return read(redis -> {
            List<String> members = redis.hmget(key("pm", app, channel), keys.toArray(String[]::new));
            Set<String> present = new java.util.HashSet<>();
            for (int i = 0; i < keys.size(); i++) {
                if (members.get(i) != null) {
                    present.add(keys.get(i));
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
            Object total = call(delta == 0, redis -> redis.eval(SUBSCRIBE, List.of(key("subs", app, nodeId), key("nodes")),
                    List.of(channel, String.valueOf(delta), key("subs", app, ""), key("node", ""), nodeId)));
            return Optional.of(((Number) total).longValue());
        } catch (RuntimeException e) {
            // The re-report rewrites this node's counts.
            markDirty();
            return Optional.empty();
        }
    }

    @Override
    public void connections(String app, int delta) {
        add(key("conns", app), nodeId, delta);
    }

    private void add(String hash, String field, int delta) {
        if (down()) {
            markDirty();
            return;
        }
        try {
            call(false, redis -> redis.eval(ADD, List.of(hash), List.of(field, String.valueOf(delta))));
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
            call(true, redis -> redis.set(key("cache", app, channel), frame, SetParams.setParams().px(ttlMillis)));
        } catch (RuntimeException e) {
            // This node still caches it locally, and re-reports it.
            markDirty();
        }
    }

    @Override
    public Optional<String> cached(String app, String channel) {
        return read(redis -> redis.get(key("cache", app, channel)));
    }

    @Override
    public Optional<Map<String, Long>> subscriptionCounts(String app) {
        return read(redis -> {
            Map<String, Long> total = new HashMap<>();
            for (String node : liveNodes(redis)) {
                redis.hgetAll(key("subs", app, node)).forEach((channel, count) ->
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
            for (Map.Entry<String, String> entry : redis.hgetAll(key("conns", app)).entrySet()) {
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
        Set<String> live = new java.util.HashSet<>();
        for (String node : redis.smembers(key("nodes"))) {
            if (node.equals(nodeId) || redis.exists(key("node", node))) {
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
        // The heartbeat first: a reap of this node that starts after it finds the node alive and leaves it.
        beatOnce(false);
        for (String app : appIds) {
            Map<String, String> counts = new HashMap<>();
            part.subscriptions().getOrDefault(app, Map.of()).forEach((channel, count) -> counts.put(channel, String.valueOf(count)));
            String subs = key("subs", app, nodeId);
            call(true, redis -> redis.del(subs));
            if (!counts.isEmpty()) {
                call(true, redis -> redis.hset(subs, counts));
            }
            int connections = part.connections().getOrDefault(app, 0);
            if (connections > 0) {
                call(true, redis -> redis.hset(key("conns", app), nodeId, String.valueOf(connections)));
            } else {
                call(true, redis -> redis.hdel(key("conns", app), nodeId));
            }
        }
        Set<String> current = new java.util.HashSet<>();
        part.members().forEach((app, channels) -> channels.forEach((channel, members) ->
                members.keySet().forEach(user -> current.add(entry(app, channel, user)))));
        // Members who left this node while the store was unreachable are still recorded: remove them.
        for (String stale : call(true, redis -> redis.smembers(key("np", nodeId)))) {
            if (current.contains(stale)) {
                continue;
            }
            String[] parts = stale.split(SEP, 3);
            String member = parts.length == 3 ? leaveAs(nodeId, parts[0], parts[1], parts[2]) : null;
            if (member != null && !member.isEmpty()) {
                memberGone.accept(new Member(parts[0], parts[1], parts[2], member));
            }
        }
        part.members().forEach((app, channels) -> channels.forEach((channel, members) -> members.forEach((user, json) -> {
            if (joinAs(app, channel, user, json, -1) == Entry.FIRST) {
                unannounced.add(new Member(app, channel, user, json));
            }
        })));
        // Only where the store has none: an event published since the store came back is newer than this copy.
        part.caches().forEach((app, channels) -> channels.forEach((channel, cached) -> {
            if (cached.ttlMillis() > 0) {
                call(true, redis -> redis.set(key("cache", app, channel), cached.frame(),
                        SetParams.setParams().nx().px(cached.ttlMillis())));
            }
        }));
        List<Member> firstAgain = new ArrayList<>();
        for (Member member : unannounced) {
            if (current.contains(entry(member.app(), member.channel(), member.userKey()))) {
                firstAgain.add(member);
            }
        }
        unannounced.clear();
        return firstAgain;
    }

    @Override
    public void onSubscriptionsGone(java.util.function.BiConsumer<String, String> listener) {
        this.subscriptionsGone = listener;
    }

    @Override
    public void onMemberGone(Consumer<Member> listener) {
        this.memberGone = listener;
    }

    private void beat() {
        if (down()) {
            return;
        }
        try {
            beatOnce(true);
            for (String node : call(true, redis -> redis.smembers(key("nodes")))) {
                if (!node.equals(nodeId) && !call(true, redis -> redis.exists(key("node", node)))
                        && "OK".equals(call(true, redis -> redis.set(key("reap", node), nodeId, SetParams.setParams().nx().px(60_000))))) {
                    reap(node);
                }
            }
        } catch (RuntimeException e) {
            // The relay logs the outage; the next beat tries again.
        }
    }

    /** Renews this node's heartbeat; when the store had forgotten the node, marks the part dirty if asked to. */
    private void beatOnce(boolean markIfForgotten) {
        Object had = call(true, redis -> redis.eval(BEAT, List.of(key("node", nodeId), key("nodes")),
                List.of(String.valueOf(timeoutMillis), nodeId)));
        if (markIfForgotten && ((Number) had).longValue() == 0) {
            markDirty();
        }
    }

    /** Removes a dead node's part, announcing users whose last connection it held. */
    private void reap(String node) {
        List<String> args = new ArrayList<>();
        args.add(prefix);
        args.add(node);
        args.addAll(appIds);
        Object result = call(false, redis -> redis.eval(REAP, List.of(), args));
        if (!(result instanceof List<?> lists) || lists.size() != 2) {
            // It came back: leave no lock, so that its real death later is reaped without waiting for it.
            call(true, redis -> redis.del(key("reap", node)));
            return;
        }
        List<?> gone = (List<?>) lists.get(0);
        for (int i = 0; i + 1 < gone.size(); i += 2) {
            String[] parts = String.valueOf(gone.get(i)).split(SEP, 3);
            if (parts.length == 3) {
                try {
                    memberGone.accept(new Member(parts[0], parts[1], parts[2], String.valueOf(gone.get(i + 1))));
                } catch (RuntimeException e) {
                    LOG.error("Announcing a reaped member failed", e);
                }
            }
        }
        for (Object channel : (List<?>) lists.get(1)) {
            String[] parts = String.valueOf(channel).split(SEP, 2);
            try {
                subscriptionsGone.accept(parts[0], parts[1]);
            } catch (RuntimeException e) {
                LOG.error("Announcing a reaped channel count failed", e);
            }
        }
        LOG.warn("Node " + node + " stopped heartbeating; removed its connections from the cluster ("
                + gone.size() / 2 + " presence members gone)");
    }

    /** Leaves the cluster cleanly: this node's part is removed now, not after the timeout. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            if (!down() && "OK".equals(call(true, redis -> redis.set(key("reap", nodeId), nodeId, SetParams.setParams().nx().px(60_000))))) {
                call(true, redis -> redis.del(key("node", nodeId)));
                reap(nodeId);
            }
        } catch (RuntimeException e) {
            // Others reap this node after its heartbeat expires.
        }
        JedisPooled pool = redis;
        if (pool != null) {
            pool.close();
        }
    }
}
