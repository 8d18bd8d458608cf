package dev.chorus.server;

import dev.chorus.app.App;
import dev.chorus.channel.Member;
import dev.chorus.connection.Connection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This node's open connections, per app: by socket id, with a count kept for the connection limit, and
 * an index user id → connections of that user (signed in as it, or a presence member with it), so
 * closing a user's connections costs O(that user's connections), not O(every connection).
 * <p>Threading: every method may be called from any thread. The user index may briefly hold a
 * connection that no longer has that user (a presence channel left, a re-sign-in): {@link #withUser}
 * checks each candidate, so an extra entry costs a lookup, never a wrong close. An entry added while
 * its connection closes is taken back by whichever of {@link #indexUser} and {@link #remove} runs second.
 */
final class ConnectionRegistry {
    private final Map<String, AppConnections> apps = new ConcurrentHashMap<>();
    /** Connection → the user ids it is indexed under; only connections that signed in or joined a presence channel. */
    private final Map<Connection, Set<String>> indexedUsers = new ConcurrentHashMap<>();

    /** Connections of one app on this node. */
    private static final class AppConnections {
        final Map<String, Connection> bySocketId = new ConcurrentHashMap<>();
        /** Connections counted against the app's limit: reserved before they exist, so may exceed the map's size. */
        final AtomicInteger count = new AtomicInteger();
        final Map<String, Set<Connection>> byUser = new ConcurrentHashMap<>();
    }

    private AppConnections of(App app) {
        return apps.computeIfAbsent(app.id(), id -> new AppConnections());
    }

    /**
     * Counts one more connection of {@code app} before it exists, so two sockets cannot both take the
     * last place; {@link #unreserve} it when it is refused after all, else {@link #add} it.
     * @return the app's count on this node, this one included
     */
    int reserve(App app) {
        return of(app).count.incrementAndGet();
    }

    void unreserve(App app) {
        of(app).count.decrementAndGet();
    }

    /** A reserved connection is open. */
    void add(Connection connection) {
        of(connection.app()).bySocketId.put(connection.socketId(), connection);
    }

    /**
     * The connection is gone: out of the socket map, its reservation and the user index.
     * @return false when it was not here (already removed)
     */
    boolean remove(Connection connection) {
        AppConnections appConnections = of(connection.app());
        boolean removed = appConnections.bySocketId.remove(connection.socketId(), connection);
        if (removed) {
            appConnections.count.decrementAndGet();
        }
        Set<String> users = indexedUsers.remove(connection);
        if (users != null) {
            for (String userId : users) {
                unindex(appConnections, connection, userId);
            }
        }
        return removed;
    }

    Collection<Connection> connections(App app) {
        return of(app).bySocketId.values();
    }

    Connection connection(App app, String socketId) {
        return of(app).bySocketId.get(socketId);
    }

    /** Every open connection on this node, all apps: a live view, for passes over all of them. */
    Iterable<Connection> all() {
        List<Collection<Connection>> views = new ArrayList<>();
        for (AppConnections appConnections : apps.values()) {
            views.add(appConnections.bySocketId.values());
        }
        return () -> views.stream().flatMap(Collection::stream).iterator();
    }

    /** Connections per app id on this node, for re-reporting to the cluster. */
    Map<String, Integer> connectionCounts() {
        Map<String, Integer> counts = new HashMap<>();
        apps.forEach((appId, appConnections) -> counts.put(appId, appConnections.bySocketId.size()));
        return counts;
    }

    int connectionCount() {
        int total = 0;
        for (AppConnections appConnections : apps.values()) {
            total += appConnections.bySocketId.size();
        }
        return total;
    }

    /**
     * The connection now has {@code userId}: signed in as it, or joined a presence channel as it. Call
     * before the connection shows the user (its user id or subscription), so a close that sees the user
     * also finds the entry.
     */
    void indexUser(Connection connection, String userId) {
        AppConnections appConnections = of(connection.app());
        indexedUsers.computeIfAbsent(connection, c -> ConcurrentHashMap.newKeySet()).add(userId);
        appConnections.byUser.computeIfAbsent(userId, id -> ConcurrentHashMap.newKeySet()).add(connection);
        if (connection.isClosed()) {
            // remove() may have run before the entry was there: take back what it could not.
            unindex(appConnections, connection, userId);
            Set<String> users = indexedUsers.remove(connection);
            if (users != null) {
                users.forEach(id -> unindex(appConnections, connection, id));
            }
        }
    }

    /** The connection may have lost {@code userId} (left a presence channel, signed in as another): unindex it unless it still has it. */
    void forgetUser(Connection connection, String userId) {
        if (has(connection, userId)) {
            return;
        }
        Set<String> users = indexedUsers.get(connection);
        if (users != null && users.remove(userId)) {
            unindex(of(connection.app()), connection, userId);
        }
    }

    private static void unindex(AppConnections appConnections, Connection connection, String userId) {
        appConnections.byUser.computeIfPresent(userId, (id, set) -> {
            set.remove(connection);
            return set.isEmpty() ? null : set;
        });
    }

    /** Open connections of {@code userId} on this node: signed in as it, or a presence member with it. */
    List<Connection> withUser(App app, String userId) {
        Set<Connection> candidates = of(app).byUser.get(userId);
        if (candidates == null) {
            return List.of();
        }
        List<Connection> found = new ArrayList<>();
        for (Connection connection : candidates) {
            if (!connection.isClosed() && has(connection, userId)) {
                found.add(connection);
            }
        }
        return found;
    }

    /** User ids with an entry in {@code app}'s index: what the index holds, which closes must bring back to zero. */
    int indexedUsers(App app) {
        return of(app).byUser.size();
    }

    /** Signed in as {@code userId}, or a presence member with it in some channel. */
    private static boolean has(Connection connection, String userId) {
        if (userId.equals(connection.userId())) {
            return true;
        }
        for (Member member : connection.subscriptions().values()) {
            if (member != Connection.NOT_PRESENCE && userId.equals(member.userKey())) {
                return true;
            }
        }
        return false;
    }
}
