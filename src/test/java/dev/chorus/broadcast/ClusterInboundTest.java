package dev.chorus.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.app.StaticAppRegistry;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.protocol.Frames;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.Envelope;
import dev.chorus.relay.LocalRelay;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What reaches this node from the others goes to the role that acts on it, and nowhere else. */
class ClusterInboundTest {
    private final App app = TestApps.app().build();
    private final Broadcasting broadcasting = Broadcasting.of(new LocalRelay("here"), ClusterState.NONE);
    private final Sessions sessions = new Sessions();
    private final AtomicInteger restarts = new AtomicInteger();

    /** The server's side, recorded. */
    private static final class Sessions implements LocalSessions {
        final List<String> calls = new ArrayList<>();

        @Override
        public int terminateUser(App app, String userId) {
            calls.add("terminate " + userId);
            return 1;
        }

        @Override
        public void userStatusRelayed(App app, String userId, boolean online) {
            calls.add("relayed " + userId + " " + online);
        }

        @Override
        public void userStatusFromCluster(App app, String userId, boolean online) {
            calls.add("cluster " + userId + " " + online);
        }

        @Override
        public Map<String, Collection<String>> signedInUsers() {
            return Map.of(app().id(), List.of("ada"));
        }

        @Override
        public Map<String, Integer> connectionCounts() {
            return Map.of(app().id(), 3);
        }

        private static App app() {
            return TestApps.app().build();
        }
    }

    private ClusterInbound inbound(ClusterState cluster) {
        return new ClusterInbound(new StaticAppRegistry(List.of(app)), broadcasting, cluster, sessions, restarts::incrementAndGet);
    }

    private RecordingTransport subscribed(String channel) {
        RecordingTransport transport = new RecordingTransport();
        broadcasting.membership().subscribe(app, channel, new Connection("1.1", app, transport, FrameLog.SILENT, () -> { }),
                Connection.NOT_PRESENCE);
        return transport;
    }

    @Test
    void aRelayedEventReachesThisNodesSubscribersAndTheServerIsNotAsked() {
        RecordingTransport socket = subscribed("news");
        String frame = Frames.event("update", "news", "{}");

        inbound(ClusterState.NONE).relayed(Envelope.event("there", app.id(), "news", frame, null));

        assertEquals(List.of(frame), socket.frames());
        assertEquals(List.of(), sessions.calls);
    }

    @Test
    void userRequestsFromAnotherNodeGoToTheSessionsAndARestartToTheRestartHook() {
        ClusterInbound inbound = inbound(ClusterState.NONE);
        inbound.relayed(Envelope.terminate("there", app.id(), "ada"));
        inbound.relayed(Envelope.userStatus("there", app.id(), "bob", true));
        inbound.relayed(Envelope.userStatus("there", app.id(), "bob", false));
        inbound.relayed(Envelope.restart("there"));

        assertEquals(List.of("terminate ada", "relayed bob true", "relayed bob false"), sessions.calls);
        assertEquals(1, restarts.get());
    }

    @Test
    void anEnvelopeForAnAppThisNodeDoesNotServeIsIgnored() {
        RecordingTransport socket = subscribed("news");
        ClusterInbound inbound = inbound(ClusterState.NONE);
        inbound.relayed(Envelope.event("there", "other-app", "news", Frames.event("e", "news", "{}"), null));
        inbound.relayed(Envelope.terminate("there", "other-app", "ada"));

        assertEquals(List.of(), socket.frames());
        assertEquals(List.of(), sessions.calls);
    }

    @Test
    void aSignedInUserWhoseLastConnectionWasOnADeadNodeIsAnnouncedOffline() {
        inbound(ClusterState.NONE).memberGone(new ClusterState.Member(app.id(), ClusterState.SIGNED_IN, "ada", "{}"));

        assertEquals(List.of("cluster ada false"), sessions.calls);
    }

    @Test
    void aResyncReportsConnectionsAndSignedInUsersAndAnnouncesThoseTheClusterHadLost() {
        List<ClusterState.LocalPart> reported = new ArrayList<>();
        ClusterState store = new ClusterState() {
            @Override
            public List<Member> resync(LocalPart part) {
                reported.add(part);
                return List.of(new Member(app.id(), SIGNED_IN, "ada", "{}"));
            }
        };

        inbound(store).resync();

        assertEquals(1, reported.size());
        assertEquals(Map.of(app.id(), 3), reported.get(0).connections());
        assertEquals(Map.of("ada", "{}"), reported.get(0).members().get(app.id()).get(ClusterState.SIGNED_IN));
        assertTrue(sessions.calls.contains("cluster ada true"), sessions.calls.toString());
    }
}
