package dev.chorus.relay.redis;

import dev.chorus.relay.ClusterState.Member;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.params.SetParams;

/**
 * Keeps this node alive in the cluster and the cluster free of dead nodes. Every third of the node
 * timeout (at least every second) it renews this node's heartbeat, then reaps each node whose heartbeat
 * expired, if it takes that node's reap lock first: the node's presence members go (each user whose last
 * connection it held is announced to {@code memberGone}) and its counts with them (each channel whose
 * count changed to {@code subscriptionsGone}). A renewal that finds this node forgotten by the store
 * (restarted empty, an unsynced replica promoted, or this node reaped while cut off) calls {@code forgotten},
 * so the node's part is re-reported.
 * <p>Threading: its own daemon thread; the listeners run on it and must not block. While the link is
 * down it skips its turn: the relay logs the outage.
 */
final class Heartbeat implements AutoCloseable {
    // Under the cluster state's name, as before the split: operators filter on it.
    private static final Logger LOG = LoggerFactory.getLogger(RedisClusterState.class);
    /** Long enough for any reap to finish; a reaper that died holding it only delays the next reap. */
    private static final long REAP_LOCK_MILLIS = 60_000;

    private final StorePool store;
    private final ClusterScripts scripts;
    private final ClusterKeys keys;
    private final String nodeId;
    private final long timeoutMillis;
    private final List<String> appIds;
    private final BooleanSupplier linkUp;
    private final Runnable forgotten;
    private final Consumer<Member> memberGone;
    private final BiConsumer<String, String> subscriptionsGone;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "chorus-redis-heartbeat");
        thread.setDaemon(true);
        return thread;
    });

    Heartbeat(StorePool store, ClusterScripts scripts, ClusterKeys keys, String nodeId, long timeoutMillis, List<String> appIds,
              BooleanSupplier linkUp, Runnable forgotten, Consumer<Member> memberGone, BiConsumer<String, String> subscriptionsGone) {
        this.store = store;
        this.scripts = scripts;
        this.keys = keys;
        this.nodeId = nodeId;
        this.timeoutMillis = timeoutMillis;
        this.appIds = List.copyOf(appIds);
        this.linkUp = linkUp;
        this.forgotten = forgotten;
        this.memberGone = memberGone;
        this.subscriptionsGone = subscriptionsGone;
    }

    /** The first beat at once, then one every {@link #period}. */
    void start() {
        thread.scheduleWithFixedDelay(this::beat, 0, period(timeoutMillis), TimeUnit.MILLISECONDS);
    }

    /** A third of the timeout, so two beats may be lost before the others call the node dead; at least a second. */
    static long period(long timeoutMillis) {
        return Math.max(1_000, timeoutMillis / 3);
    }

    private void beat() {
        if (!linkUp.getAsBoolean()) {
            return;
        }
        try {
            renew(true);
            for (String node : store.call(true, redis -> redis.smembers(keys.nodes()))) {
                if (!node.equals(nodeId) && !store.call(true, redis -> redis.exists(keys.heartbeat(node)))
                        && "OK".equals(store.call(true, redis -> redis.set(keys.reapLock(node), nodeId,
                                SetParams.setParams().nx().px(REAP_LOCK_MILLIS))))) {
                    reap(node);
                }
            }
        } catch (RuntimeException e) {
            // The relay logs the outage; the next beat tries again.
        }
    }

    /**
     * Renews this node's heartbeat now; when the store had forgotten the node, calls {@code forgotten} if asked to.
     * @throws RuntimeException when Redis did not take it
     */
    void renew(boolean reportForgotten) {
        if (!scripts.beat(timeoutMillis) && reportForgotten) {
            forgotten.run();
        }
    }

    /** Removes a dead node's part, announcing users whose last connection it held. */
    private void reap(String node) {
        Reaped reaped = scripts.reap(node, appIds);
        if (reaped == null) {
            // It came back: leave no lock, so that its real death later is reaped without waiting for it.
            store.call(true, redis -> redis.del(keys.reapLock(node)));
            return;
        }
        for (Member member : reaped.gone()) {
            try {
                memberGone.accept(member);
            } catch (RuntimeException e) {
                LOG.error("Announcing a reaped member failed", e);
            }
        }
        for (Reaped.Channel channel : reaped.channels()) {
            try {
                subscriptionsGone.accept(channel.app(), channel.channel());
            } catch (RuntimeException e) {
                LOG.error("Announcing a reaped channel count failed", e);
            }
        }
        LOG.warn("Node " + node + " stopped heartbeating; removed its connections from the cluster ("
                + reaped.gone().size() + " presence members gone)");
    }

    /** Stops beating and leaves the cluster cleanly: this node's part is removed now, not after the timeout. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (linkUp.getAsBoolean() && "OK".equals(store.call(true, redis -> redis.set(keys.reapLock(nodeId), nodeId,
                    SetParams.setParams().nx().px(REAP_LOCK_MILLIS))))) {
                store.call(true, redis -> redis.del(keys.heartbeat(nodeId)));
                reap(nodeId);
            }
        } catch (RuntimeException e) {
            // Others reap this node after its heartbeat expires.
        }
    }
}
