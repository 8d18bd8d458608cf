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
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
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
 */
public final class RedisClusterState implements ClusterState, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisClusterState.class);
    private static final String SEP = "\u0000";

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
    private final JedisPooled redis;
    private final ScheduledExecutorService heartbeat;
    private volatile Consumer<Member> memberGone = member -> { };
    private volatile java.util.function.BiConsumer<String, String> subscriptionsGone = (app, channel) -> { };

    public RedisClusterState(Scaling scaling, String nodeId, Collection<String> appIds, BooleanSupplier linkUp) {
        this.prefix = scaling.prefix();
        this.nodeId = nodeId;
        this.timeoutMillis = scaling.nodeTimeout().toMillis();
        this.appIds = List.copyOf(appIds);
        this.linkUp = linkUp;
        this.redis = new JedisPooled(new HostAndPort(scaling.host(), scaling.port()), DefaultJedisClientConfig.builder()
                .user(scaling.username()).password(scaling.password()).database(scaling.database()).ssl(scaling.tls())
                .connectionTimeoutMillis(1_000).socketTimeoutMillis(2_000).clientName("chorus-state-" + nodeId).build());
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

    @Override
    public Optional<Boolean> join(String app, String channel, String userKey, String memberJson) {
        return join(app, channel, userKey, memberJson, -1).map(entry -> entry == Entry.FIRST);
    }

    @Override
    public Optional<Entry> join(String app, String channel, String userKey, String memberJson, int maxMembers) {
        if (down()) {
            return Optional.empty();
        }
        try {
            Object result = redis.eval(JOIN, List.of(key("pm", app, channel), key("pn", app, channel, userKey), key("np", nodeId)),
                    List.of(userKey, memberJson, nodeId, entry(app, channel, userKey), String.valueOf(maxMembers)));
            long code = ((Number) result).longValue();
            return Optional.of(code < 0 ? Entry.FULL : code == 1 ? Entry.FIRST : Entry.AGAIN);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Long> rate(String app, String kind, long epochSecond, int points) {
        if (down()) {
            return Optional.empty();
        }
        try {
            Object total = redis.eval(RATE, List.of(key("rate", app, kind, Long.toString(epochSecond))),
                    List.of(String.valueOf(points)));
            return Optional.of(((Number) total).longValue());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Boolean> leave(String app, String channel, String userKey) {
        if (down()) {
            return Optional.empty();
        }
        try {
            return Optional.of(leaveAs(nodeId, app, channel, userKey) != null);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** @return the member JSON when that was the user's last node in the channel, else null */
    private String leaveAs(String node, String app, String channel, String userKey) {
        Object member = redis.eval(LEAVE, List.of(key("pm", app, channel), key("pn", app, channel, userKey), key("np", node)),
                List.of(userKey, node, entry(app, channel, userKey)));
        return member == null ? null : member.toString();
    }

    @Override
    public Optional<Map<String, String>> roster(String app, String channel) {
        if (down()) {
            return Optional.empty();
        }
        try {
            return Optional.of(redis.hgetAll(key("pm", app, channel)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Set<String>> present(String app, String channel, Collection<String> userKeys) {
        if (down()) {
            return Optional.empty();
        }
        if (userKeys.isEmpty()) {
            return Optional.of(Set.of());
        }
        try {
            List<String> keys = List.copyOf(userKeys);
            List<String> members = redis.hmget(key("pm", app, channel), keys.toArray(String[]::new));
            Set<String> present = new java.util.HashSet<>();
            for (int i = 0; i < keys.size(); i++) {
                if (members.get(i) != null) {
                    present.add(keys.get(i));
                }
            }
            return Optional.of(present);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Long> subscriptions(String app, String channel, int delta) {
        if (down()) {
            return Optional.empty();
        }
        try {
            Object total = redis.eval(SUBSCRIBE, List.of(key("subs", app, nodeId), key("nodes")),
                    List.of(channel, String.valueOf(delta), key("subs", app, ""), key("node", ""), nodeId));
            return Optional.of(((Number) total).longValue());
        } catch (RuntimeException e) {
            // The next resync after the outage rewrites this node's counts.
            return Optional.empty();
        }
    }

    @Override
    public void connections(String app, int delta) {
        add(key("conns", app), nodeId, delta);
    }

    private void add(String hash, String field, int delta) {
        if (down()) {
            return;
        }
        try {
            redis.eval(ADD, List.of(hash), List.of(field, String.valueOf(delta)));
        } catch (RuntimeException e) {
            // The next resync after the outage rewrites this node's counts.
        }
    }

    @Override
    public void cache(String app, String channel, String frame, long ttlMillis) {
        if (down()) {
            return;
        }
        try {
            redis.set(key("cache", app, channel), frame, SetParams.setParams().px(ttlMillis));
        } catch (RuntimeException e) {
            // This node still caches it locally.
        }
    }

    @Override
    public Optional<String> cached(String app, String channel) {
        if (down()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(redis.get(key("cache", app, channel)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Map<String, Long>> subscriptionCounts(String app) {
        if (down()) {
            return Optional.empty();
        }
        try {
            Map<String, Long> total = new HashMap<>();
            for (String node : liveNodes()) {
                redis.hgetAll(key("subs", app, node)).forEach((channel, count) ->
                        total.merge(channel, Long.parseLong(count), Long::sum));
            }
            total.values().removeIf(count -> count <= 0);
            return Optional.of(total);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Long> connectionCount(String app) {
        if (down()) {
            return Optional.empty();
        }
        try {
            Set<String> live = liveNodes();
            long total = 0;
            for (Map.Entry<String, String> entry : redis.hgetAll(key("conns", app)).entrySet()) {
                if (live.contains(entry.getKey())) {
                    total += Long.parseLong(entry.getValue());
                }
            }
            return Optional.of(total);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Set<String>> nodes() {
        if (down()) {
            return Optional.empty();
        }
        try {
            return Optional.of(liveNodes());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Nodes whose heartbeat has not expired, this one included. */
    private Set<String> liveNodes() {
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
        List<Member> firstAgain = new ArrayList<>();
        try {
            beat();
            for (String app : appIds) {
                redis.del(key("subs", app, nodeId));
                redis.hdel(key("conns", app), nodeId);
            }
            part.subscriptions().forEach((app, channels) -> channels.forEach((channel, count) ->
                    add(key("subs", app, nodeId), channel, count)));
            part.connections().forEach((app, count) -> add(key("conns", app), nodeId, count));
            java.util.Set<String> current = new java.util.HashSet<>();
            part.members().forEach((app, channels) -> channels.forEach((channel, members) ->
                    members.keySet().forEach(user -> current.add(entry(app, channel, user)))));
            // Members who left this node while the store was unreachable are still recorded: remove them.
            for (String stale : redis.smembers(key("np", nodeId))) {
                if (current.contains(stale)) {
                    continue;
                }
                String[] parts = stale.split(SEP, 3);
                String member = parts.length == 3 ? leaveAs(nodeId, parts[0], parts[1], parts[2]) : null;
                if (member != null) {
                    memberGone.accept(new Member(parts[0], parts[1], parts[2], member));
                }
            }
            part.members().forEach((app, channels) -> channels.forEach((channel, members) -> members.forEach((user, json) -> {
                if (join(app, channel, user, json).orElse(false)) {
                    firstAgain.add(new Member(app, channel, user, json));
                }
            })));
        } catch (RuntimeException e) {
            LOG.warn("Re-reporting this node to Redis failed: " + e.getMessage());
        }
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
            redis.set(key("node", nodeId), "1", SetParams.setParams().px(timeoutMillis));
            redis.sadd(key("nodes"), nodeId);
            for (String node : redis.smembers(key("nodes"))) {
                if (!node.equals(nodeId) && !redis.exists(key("node", node))
                        && "OK".equals(redis.set(key("reap", node), nodeId, SetParams.setParams().nx().px(60_000)))) {
                    reap(node);
                }
            }
        } catch (RuntimeException e) {
            // The relay logs the outage; the next beat tries again.
        }
    }

    /** Removes a dead node's part, announcing users whose last connection it held. */
    private void reap(String node) {
        int removed = 0;
        for (String entry : redis.smembers(key("np", node))) {
            String[] parts = entry.split(SEP, 3);
            if (parts.length != 3) {
                continue;
            }
            String member = leaveAs(node, parts[0], parts[1], parts[2]);
            if (member != null) {
                removed++;
                try {
                    memberGone.accept(new Member(parts[0], parts[1], parts[2], member));
                } catch (RuntimeException e) {
                    LOG.error("Announcing a reaped member failed", e);
                }
            }
        }
        redis.del(key("np", node));
        for (String app : appIds) {
            java.util.Set<String> channels = redis.hkeys(key("subs", app, node));
            redis.del(key("subs", app, node));
            redis.hdel(key("conns", app), node);
            for (String channel : channels) {
                try {
                    subscriptionsGone.accept(app, channel);
                } catch (RuntimeException e) {
                    LOG.error("Announcing a reaped channel count failed", e);
                }
            }
        }
        redis.srem(key("nodes"), node);
        LOG.warn("Node " + node + " stopped heartbeating; removed its connections from the cluster ("
                + removed + " presence members gone)");
    }

    /** Leaves the cluster cleanly: this node's part is removed now, not after the timeout. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            if (!down() && "OK".equals(redis.set(key("reap", nodeId), nodeId, SetParams.setParams().nx().px(60_000)))) {
                redis.del(key("node", nodeId));
                reap(nodeId);
            }
        } catch (RuntimeException e) {
            // Others reap this node after its heartbeat expires.
        }
        redis.close();
    }
}
