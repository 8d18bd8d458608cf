package dev.chorus.relay.redis;

import dev.chorus.relay.ClusterState;
import dev.chorus.relay.ClusterState.Entry;
import dev.chorus.relay.ClusterState.Joined;
import dev.chorus.relay.ClusterState.Roster;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The atomic steps of the cluster state, as Lua scripts run in Redis: each decides something for the
 * whole cluster at once ("first connection anywhere", "last connection anywhere", a channel's total, a
 * dead node's removal), so two nodes can never both take it. Keys as {@link ClusterKeys} lays them out.
 * <p>Threading: safe from any thread; each call blocks for a round trip (see {@link StorePool} for which
 * are retried after a link failure) and throws when Redis did not answer.
 */
final class ClusterScripts {
    // A roster's version: Redis's clock in microseconds, or one more than the last when the clock has not
    // moved past it, so versions only grow, also after the key expired (a day after the roster last changed)
    // or the store restarted empty. Written as an integer: Lua's own number formatting would round it.
    // Effects replication (the default from Redis 5) is what lets a script write after reading TIME.
    private static final String BUMP = """
            if redis.replicate_commands then redis.replicate_commands() end
            local function bump(key)
              local now = redis.call('TIME')
              local version = tonumber(now[1]) * 1000000 + tonumber(now[2])
              local last = tonumber(redis.call('GET', key) or '0')
              if version <= last then version = last + 1 end
              redis.call('SET', key, string.format('%.0f', version), 'PX', 86400000)
              return version
            end
            """;
    // ARGV[5] is max_presence_members (negative: none); KEYS[1] holds one field per distinct user in the
    // channel over all nodes, so its length is the cluster's member count, checked and added atomically.
    // Returns {1, version} when the user is new to the channel, {0, 0} when another node had them, -1 when full.
    // ARGV[6] '1': the channel's roster is versioned (not the signed-in users', which no subscriber is sent).
    private static final String JOIN = BUMP + """
            local limit = tonumber(ARGV[5])
            if limit >= 0 and redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= limit then
              return -1
            end
            redis.call('SADD', KEYS[3], ARGV[4])
            local added = redis.call('SADD', KEYS[2], ARGV[3])
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            if added == 1 and redis.call('SCARD', KEYS[2]) == 1 then
              if ARGV[6] == '1' then return {1, bump(KEYS[4])} end
              return {1, 0}
            end
            return {0, 0}
            """;
    // Returns {member JSON ('' when none was stored), version} when that was the user's last node, else false.
    // ARGV[4] '1': the roster is versioned.
    private static final String LEAVE = BUMP + """
            redis.call('SREM', KEYS[3], ARGV[3])
            redis.call('SREM', KEYS[2], ARGV[2])
            if redis.call('SCARD', KEYS[2]) == 0 then
              local member = redis.call('HGET', KEYS[1], ARGV[1])
              redis.call('HDEL', KEYS[1], ARGV[1])
              if ARGV[4] == '1' then return {member or '', bump(KEYS[4])} end
              return {member or '', 0}
            end
            return false
            """;
    // The roster and its version in one step: {version, user, member JSON, ...}.
    private static final String ROSTER = """
            local out = {tonumber(redis.call('GET', KEYS[2]) or '0')}
            local all = redis.call('HGETALL', KEYS[1])
            for i = 1, #all do out[i + 1] = all[i] end
            return out
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
    // ARGV: prefix, node, app ids...; returns {entry, member JSON, roster version, ...} of users gone from the cluster and
    // {app NUL channel, ...} of channels whose counts changed, or false when the node is alive.
    private static final String REAP = BUMP + """
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
                    table.insert(gone, bump(p .. ':pv:' .. app .. ':' .. channel))
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

    private final StorePool store;
    private final ClusterKeys keys;
    private final String nodeId;

    ClusterScripts(StorePool store, ClusterKeys keys, String nodeId) {
        this.store = store;
        this.keys = keys;
        this.nodeId = nodeId;
    }

    /** Records this node as holding the user in the channel, unless that would take the channel past {@code maxMembers}. */
    Joined join(String app, String channel, String userKey, String memberJson, int maxMembers) {
        Object result = store.call(true, redis -> redis.eval(JOIN, List.of(keys.roster(app, channel), keys.holders(app, channel, userKey),
                keys.nodePresence(nodeId), keys.rosterVersion(app, channel)), List.of(userKey, memberJson, nodeId,
                new PresenceEntry(app, channel, userKey).encoded(), String.valueOf(maxMembers), versioned(channel))));
        if (!(result instanceof List<?> answer)) {
            return new Joined(Entry.FULL, 0);
        }
        boolean first = ((Number) answer.get(0)).longValue() == 1;
        return new Joined(first ? Entry.FIRST : Entry.AGAIN, ((Number) answer.get(1)).longValue());
    }

    /** @return when that was the user's last node in the channel, the member JSON (empty when none was stored) and the roster version; else null */
    Left leave(String app, String channel, String userKey) {
        Object result = store.call(true, redis -> redis.eval(LEAVE, List.of(keys.roster(app, channel), keys.holders(app, channel, userKey),
                keys.nodePresence(nodeId), keys.rosterVersion(app, channel)), List.of(userKey, nodeId,
                new PresenceEntry(app, channel, userKey).encoded(), versioned(channel))));
        if (!(result instanceof List<?> answer)) {
            return null;
        }
        return new Left(String.valueOf(answer.get(0)), ((Number) answer.get(1)).longValue());
    }

    /** Signed-in users are counted like a roster, but no subscriber is ever sent theirs: no version to keep. */
    private static String versioned(String channel) {
        return ClusterState.SIGNED_IN.equals(channel) ? "0" : "1";
    }

    /** A user's last node left the channel: the member JSON as stored ('' when none was) and the roster version after it. */
    record Left(String memberJson, long version) {
    }

    /** The channel's roster over all nodes and its version, read in one step. */
    Roster roster(String app, String channel) {
        Object result = store.call(true, redis -> redis.eval(ROSTER, List.of(keys.roster(app, channel),
                keys.rosterVersion(app, channel)), List.of()));
        List<?> answer = (List<?>) result;
        Map<String, String> members = new LinkedHashMap<>();
        for (int i = 1; i + 1 < answer.size(); i += 2) {
            members.put(String.valueOf(answer.get(i)), String.valueOf(answer.get(i + 1)));
        }
        return new Roster(members, ((Number) answer.get(0)).longValue());
    }

    /**
     * Adds {@code delta} to this node's count of the channel; retried only when it changes nothing.
     * @return the channel's subscriptions over all live nodes after the change
     */
    long subscribe(String app, String channel, int delta) {
        Object total = store.call(delta == 0, redis -> redis.eval(SUBSCRIBE, List.of(keys.subscriptions(app, nodeId), keys.nodes()),
                List.of(channel, String.valueOf(delta), keys.subscriptionsPrefix(app), keys.heartbeatPrefix(), nodeId)));
        return ((Number) total).longValue();
    }

    /** Adds {@code delta} to a count in a hash, dropping it at zero. Not retried: the first try may have counted. */
    void add(String hash, String field, int delta) {
        store.call(false, redis -> redis.eval(ADD, List.of(hash), List.of(field, String.valueOf(delta))));
    }

    /** @return the app's count of {@code kind} in that second after adding; not retried, the first try may have counted */
    long rate(String app, String kind, long epochSecond, int points) {
        Object total = store.call(false, redis -> redis.eval(RATE, List.of(keys.rate(app, kind, epochSecond)),
                List.of(String.valueOf(points))));
        return ((Number) total).longValue();
    }

    /** Renews this node's heartbeat for {@code timeoutMillis}; @return false when the store had forgotten this node */
    boolean beat(long timeoutMillis) {
        Object had = store.call(true, redis -> redis.eval(BEAT, List.of(keys.heartbeat(nodeId), keys.nodes()),
                List.of(String.valueOf(timeoutMillis), nodeId)));
        return ((Number) had).longValue() != 0;
    }

    /**
     * Removes a node's part unless its heartbeat is there. Not retried: a second run would find nothing to announce.
     * @return what went, or null when the node is alive
     */
    Reaped reap(String node, List<String> appIds) {
        List<String> args = new ArrayList<>();
        args.add(keys.prefix());
        args.add(node);
        args.addAll(appIds);
        return Reaped.from(store.call(false, redis -> redis.eval(REAP, List.of(), args)));
    }
}
