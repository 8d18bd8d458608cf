package dev.chorus.server;

import dev.chorus.app.App;
import dev.chorus.broadcast.Membership;
import dev.chorus.broadcast.Occupancy;
import dev.chorus.connection.Connection;
import dev.chorus.protocol.EncodedFrame;
import dev.chorus.protocol.Frames;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The watchlist on this node (issue 14 §3): how many signed-in connections each user has here, and an
 * index watched user id → the connections watching it. A user's first signed-in connection here asks
 * the cluster whether it is the first anywhere ({@link Membership} counts users like presence
 * members), and only then are watchers told; the last one likewise. Nothing here is on the event
 * fan-out path: the work is per sign-in and per close of a signed-in connection, and a user nobody
 * watches costs one map lookup when their status changes.
 * <p>Threading: sign-ins of one connection come one at a time, but its close may come from any thread,
 * and two connections of one user may sign in and close at once. Each user's count change and the
 * cluster call that follows it run under one of a few striped locks, so the cluster sees that user's
 * joins and leaves in the order this node decided them (a join overtaking a leave would leave the user
 * offline while signed in). A lock is held for one round trip to the cluster store, never by a sender.
 */
final class Watchlists {
    private static final int STRIPES = 64;

    private final Membership membership;
    private final Occupancy occupancy;
    private final Object[] locks = new Object[STRIPES];
    private final Map<String, AppWatch> apps = new ConcurrentHashMap<>();

    Watchlists(Membership membership, Occupancy occupancy) {
        this.membership = membership;
        this.occupancy = occupancy;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    /** One app's part: ids are only unique within an app. */
    private static final class AppWatch {
        /** User id → this node's signed-in connections of that user. */
        final Map<String, Integer> signedIn = new ConcurrentHashMap<>();
        /** Connection → the id it is counted under, so a close releases exactly what the sign-in took. */
        final Map<Connection, String> signedInAs = new ConcurrentHashMap<>();
        /** Watched user id → connections watching it. */
        final Map<String, Set<Connection>> watchers = new ConcurrentHashMap<>();
        /** Connection → the ids it watches, to take it out of {@link #watchers} when it goes. */
        final Map<Connection, List<String>> watching = new ConcurrentHashMap<>();
    }

    private AppWatch of(App app) {
        return apps.computeIfAbsent(app.id(), id -> new AppWatch());
    }

    private Object lock(String userId) {
        return locks[Math.floorMod(userId.hashCode(), STRIPES)];
    }

    /** The connection is now signed in as {@code userId}, in place of whatever id it had. */
    void signedIn(Connection connection, String userId) {
        App app = connection.app();
        AppWatch watch = of(app);
        if (userId.equals(watch.signedInAs.get(connection))) {
            return;
        }
        // Counted before it is recorded: a close that finds the record always finds the count too.
        acquire(app, watch, userId);
        String previous = watch.signedInAs.put(connection, userId);
        if (previous != null) {
            release(app, watch, previous);
        }
        if (connection.isClosed() && watch.signedInAs.remove(connection, userId)) {
            // closed() ran before the record was there: take back what it could not.
            release(app, watch, userId);
        }
    }

    private void acquire(App app, AppWatch watch, String userId) {
        synchronized (lock(userId)) {
            if (watch.signedIn.merge(userId, 1, Integer::sum) == 1 && membership.signedIn(app, userId)) {
                changed(app, userId, true);
            }
        }
    }

    private void release(App app, AppWatch watch, String userId) {
        synchronized (lock(userId)) {
            boolean[] last = new boolean[1];
            watch.signedIn.computeIfPresent(userId, (id, count) -> {
                last[0] = count == 1;
                return count == 1 ? null : count - 1;
            });
            if (last[0] && membership.signedOut(app, userId)) {
                changed(app, userId, false);
            }
        }
    }

    /**
     * The connection now watches {@code userIds} (replacing any earlier watchlist).
     * @return the current status frame: {@code online} naming those signed in anywhere, {@code offline}
     *         the others
     */
    String watch(Connection connection, List<String> userIds) {
        App app = connection.app();
        AppWatch watch = of(app);
        unwatch(watch, connection);
        watch.watching.put(connection, userIds);
        for (String userId : userIds) {
            watch.watchers.compute(userId, (id, set) -> {
                Set<Connection> watchers = set == null ? ConcurrentHashMap.newKeySet() : set;
                watchers.add(connection);
                return watchers;
            });
        }
        if (connection.isClosed()) {
            unwatch(watch, connection);
        }
        // Asked after the connection is in the index, so a change from now on reaches it too.
        Set<String> online = occupancy.signedInAnywhere(app, userIds, () -> watch.signedIn.keySet());
        List<String> on = new ArrayList<>();
        List<String> off = new ArrayList<>();
        for (String userId : userIds) {
            (online.contains(userId) ? on : off).add(userId);
        }
        return Frames.watchlistEvents(on, off);
    }

    /** The connection watches nobody any more. */
    void unwatch(Connection connection) {
        AppWatch watch = apps.get(connection.app().id());
        if (watch != null) {
            unwatch(watch, connection);
        }
    }

    private static void unwatch(AppWatch watch, Connection connection) {
        List<String> userIds = watch.watching.remove(connection);
        if (userIds == null) {
            return;
        }
        for (String userId : userIds) {
            watch.watchers.computeIfPresent(userId, (id, set) -> {
                set.remove(connection);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** The connection closed: it watches nobody and no longer counts for its user. */
    void closed(Connection connection) {
        AppWatch watch = apps.get(connection.app().id());
        if (watch == null) {
            return;
        }
        unwatch(watch, connection);
        String userId = watch.signedInAs.remove(connection);
        if (userId != null) {
            release(connection.app(), watch, userId);
        }
    }

    /** Tells this node's watchers of {@code userId}. One frame, encoded once, whoever many watch. */
    void changed(App app, String userId, boolean online) {
        AppWatch watch = apps.get(app.id());
        Set<Connection> watchers = watch == null ? null : watch.watchers.get(userId);
        if (watchers == null || watchers.isEmpty()) {
            return;
        }
        List<String> user = List.of(userId);
        EncodedFrame frame = EncodedFrame.of(online ? Frames.watchlistEvents(user, List.of())
                : Frames.watchlistEvents(List.of(), user));
        for (Connection connection : watchers) {
            connection.send(frame);
        }
    }

    /** App id → user ids signed in on this node, for re-reporting to the cluster. */
    Map<String, Collection<String>> signedInUsers() {
        Map<String, Collection<String>> users = new HashMap<>();
        apps.forEach((appId, watch) -> users.put(appId, List.copyOf(watch.signedIn.keySet())));
        return users;
    }
}
