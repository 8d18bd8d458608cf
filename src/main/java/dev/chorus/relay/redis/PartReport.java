package dev.chorus.relay.redis;

import dev.chorus.relay.ClusterState;
import dev.chorus.relay.ClusterState.Entry;
import dev.chorus.relay.ClusterState.LocalPart;
import dev.chorus.relay.ClusterState.Member;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import redis.clients.jedis.params.SetParams;

/**
 * Rewrites this node's whole part in the store after the store may have lost or mangled it (see
 * {@code ClusterState.resync}): counts are replaced, presence entries that left while the store was
 * unreachable are removed (announcing users that were last here to {@code memberGone}), current members
 * are joined again, and cached events are put back where the store has none. Writing the same part twice
 * leaves the store as once, so a report that failed halfway is simply written again.
 * <p>Threading: one report at a time (the caller's {@code Resync} serialises them); any thread.
 */
final class PartReport {
    private final StorePool store;
    private final ClusterScripts scripts;
    private final ClusterKeys keys;
    private final String nodeId;
    private final List<String> appIds;
    private final Heartbeat heartbeat;
    private final Consumer<Member> memberGone;
    /** Members a failed report found first again: announced by the next one that succeeds, not lost with the failure. */
    private final Set<Member> unannounced = ConcurrentHashMap.newKeySet();

    PartReport(StorePool store, ClusterScripts scripts, ClusterKeys keys, String nodeId, List<String> appIds, Heartbeat heartbeat,
               Consumer<Member> memberGone) {
        this.store = store;
        this.scripts = scripts;
        this.keys = keys;
        this.nodeId = nodeId;
        this.appIds = List.copyOf(appIds);
        this.heartbeat = heartbeat;
        this.memberGone = memberGone;
    }

    /**
     * @return the members that are first in the cluster again, to announce
     * @throws RuntimeException when Redis did not take all of it
     */
    List<Member> write(LocalPart part) {
        // The heartbeat first: a reap of this node that starts after it finds the node alive and leaves it.
        heartbeat.renew(false);
        for (String app : appIds) {
            writeCounts(app, part);
        }
        Set<String> current = new HashSet<>();
        part.members().forEach((app, channels) -> channels.forEach((channel, members) ->
                members.keySet().forEach(user -> current.add(new PresenceEntry(app, channel, user).encoded()))));
        // Members who left this node while the store was unreachable are still recorded: remove them.
        for (String stale : store.call(true, redis -> redis.smembers(keys.nodePresence(nodeId)))) {
            if (current.contains(stale)) {
                continue;
            }
            PresenceEntry entry = PresenceEntry.decode(stale);
            ClusterScripts.Left left = entry != null ? scripts.leave(entry.app(), entry.channel(), entry.userKey()) : null;
            if (left != null && !left.memberJson().isEmpty()) {
                memberGone.accept(entry.member(left.memberJson(), left.version()));
            }
        }
        part.members().forEach((app, channels) -> channels.forEach((channel, members) -> members.forEach((user, json) -> {
            ClusterState.Joined joined = scripts.join(app, channel, user, json, -1);
            if (joined.entry() == Entry.FIRST) {
                unannounced.add(new Member(app, channel, user, json, joined.version()));
            }
        })));
        // Only where the store has none: an event published since the store came back is newer than this copy.
        part.caches().forEach((app, channels) -> channels.forEach((channel, cached) -> {
            if (cached.ttlMillis() > 0) {
                store.call(true, redis -> redis.set(keys.cache(app, channel), cached.frame(),
                        SetParams.setParams().nx().px(cached.ttlMillis())));
            }
        }));
        List<Member> firstAgain = new ArrayList<>();
        for (Member member : unannounced) {
            if (current.contains(PresenceEntry.of(member).encoded())) {
                firstAgain.add(member);
            }
        }
        unannounced.clear();
        return firstAgain;
    }

    private void writeCounts(String app, LocalPart part) {
        Map<String, String> counts = new HashMap<>();
        part.subscriptions().getOrDefault(app, Map.of()).forEach((channel, count) -> counts.put(channel, String.valueOf(count)));
        String subs = keys.subscriptions(app, nodeId);
        store.call(true, redis -> redis.del(subs));
        if (!counts.isEmpty()) {
            store.call(true, redis -> redis.hset(subs, counts));
        }
        int connections = part.connections().getOrDefault(app, 0);
        if (connections > 0) {
            store.call(true, redis -> redis.hset(keys.connections(app), nodeId, String.valueOf(connections)));
        } else {
            store.call(true, redis -> redis.hdel(keys.connections(app), nodeId));
        }
    }
}
