package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.channel.Member;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionRegistryTest {
    private final App app = TestApps.app().build();
    private final App other = App.builder("2", "other-key", "other-secret").build();
    private final ConnectionRegistry registry = new ConnectionRegistry();

    private Connection open(App app, String socketId) {
        Connection connection = new Connection(socketId, app, new RecordingTransport(), FrameLog.SILENT, () -> { });
        registry.reserve(app);
        registry.add(connection);
        return connection;
    }

    private static Member member(String userId) {
        return new Member(userId, "\"" + userId + "\"", null);
    }

    @Test
    void anOpenConnectionIsFoundByItsAppAndSocketIdUntilItIsRemoved() {
        Connection connection = open(app, "1.1");
        assertSame(connection, registry.connection(app, "1.1"));
        assertNull(registry.connection(other, "1.1"), "socket ids are looked up within their app");
        assertTrue(registry.remove(connection));
        assertNull(registry.connection(app, "1.1"));
        assertFalse(registry.remove(connection), "a second removal finds nothing");
    }

    @Test
    void countsArePerAppAndCountOnlyConnectionsStillOpen() {
        open(app, "1.1");
        Connection leaving = open(app, "1.2");
        open(other, "2.1");
        registry.remove(leaving);
        assertEquals(Map.of("1", 1, "2", 1), registry.connectionCounts());
        assertEquals(2, registry.connectionCount());
        assertEquals(1, registry.connections(app).size());
    }

    @Test
    void aReservationCountsAgainstTheAppBeforeTheConnectionExistsAndUnreservingGivesThePlaceBack() {
        assertEquals(1, registry.reserve(app));
        assertEquals(2, registry.reserve(app));
        registry.unreserve(app);
        assertEquals(2, registry.reserve(app), "the given-back place is taken again");
        assertEquals(0, registry.connectionCount(), "reserved is not open");
    }

    @Test
    void removingAConnectionGivesBackItsPlace() {
        Connection connection = open(app, "1.1");
        registry.remove(connection);
        assertEquals(1, registry.reserve(app));
    }

    @Test
    void passesOverAllConnectionsSeeEveryAppsConnections() {
        Connection mine = open(app, "1.1");
        Connection theirs = open(other, "2.1");
        List<Connection> all = new ArrayList<>();
        registry.all().forEach(all::add);
        assertEquals(2, all.size());
        assertTrue(all.containsAll(List.of(mine, theirs)));
    }

    @Test
    void aUsersConnectionsAreThoseSignedInAsItAndThosePresentAsItInAChannel() {
        Connection signedIn = open(app, "1.1");
        registry.indexUser(signedIn, "ann");
        signedIn.userId("ann");
        Connection present = open(app, "1.2");
        registry.indexUser(present, "ann");
        present.subscriptions().put("presence-room", member("ann"));
        Connection someoneElse = open(app, "1.3");
        registry.indexUser(someoneElse, "bob");
        someoneElse.userId("bob");

        List<Connection> ann = registry.withUser(app, "ann");
        assertEquals(2, ann.size());
        assertTrue(ann.containsAll(List.of(signedIn, present)));
        assertEquals(List.of(), registry.withUser(other, "ann"), "user ids are per app");
    }

    @Test
    void aConnectionThatNoLongerHasTheUserIsNotReturnedEvenBeforeItIsForgotten() {
        Connection connection = open(app, "1.1");
        registry.indexUser(connection, "ann");
        connection.subscriptions().put("presence-room", member("ann"));
        connection.subscriptions().remove("presence-room");
        assertEquals(List.of(), registry.withUser(app, "ann"));
    }

    @Test
    void forgettingAUserKeepsTheConnectionWhileAnotherPresenceChannelStillHasIt() {
        Connection connection = open(app, "1.1");
        registry.indexUser(connection, "ann");
        connection.subscriptions().put("presence-a", member("ann"));
        registry.indexUser(connection, "ann");
        connection.subscriptions().put("presence-b", member("ann"));

        connection.subscriptions().remove("presence-a");
        registry.forgetUser(connection, "ann");
        assertEquals(List.of(connection), registry.withUser(app, "ann"), "still present in presence-b");

        connection.subscriptions().remove("presence-b");
        registry.forgetUser(connection, "ann");
        assertEquals(List.of(), registry.withUser(app, "ann"));
        assertEquals(0, registry.indexedUsers(app), "forgotten once nothing has the user");
    }

    @Test
    void aRemovedConnectionLeavesTheUserIndex() {
        Connection connection = open(app, "1.1");
        registry.indexUser(connection, "ann");
        connection.userId("ann");
        registry.remove(connection);
        assertEquals(List.of(), registry.withUser(app, "ann"));
        assertEquals(0, registry.indexedUsers(app));
    }

    @Test
    void aUserIndexedAfterItsConnectionClosedIsTakenBackAtOnce() {
        Connection connection = open(app, "1.1");
        connection.markClosed();
        registry.remove(connection);
        registry.indexUser(connection, "ann");
        connection.userId("ann");
        assertEquals(List.of(), registry.withUser(app, "ann"));
        assertEquals(0, registry.indexedUsers(app), "nothing left behind for the closed connection");
    }
}
