package dev.chorus.server;

import static dev.chorus.testing.ClientFrames.clientEvent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chorus.app.App;
import dev.chorus.app.ClientEventPolicy;
import dev.chorus.broadcast.Broadcaster;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.channel.Member;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.InboundFrame;
import dev.chorus.protocol.PusherError;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.LocalRelay;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientEventsTest {
    private final Broadcasting broadcasting = Broadcasting.of(new LocalRelay("test"), ClusterState.NONE);
    private final Broadcaster broadcaster = broadcasting.broadcaster();
    private final ClientEvents clientEvents = new ClientEvents(broadcaster, broadcasting.webhooks());
    private int sockets;

    private Connection open(App app, RecordingTransport transport) {
        return new Connection("1." + ++sockets, app, transport, FrameLog.SILENT, () -> { });
    }

    private void join(Connection connection, String channel, Member member) {
        broadcasting.membership().subscribe(connection.app(), channel, connection, member);
        connection.subscriptions().put(channel, member);
    }

    private void send(Connection connection, String frame) throws Exception {
        clientEvents.handle(connection, InboundFrame.parse(frame));
    }

    /** A server event on the channel, to show what reached a connection before it and what did not. */
    private void sentinel(App app, String channel) {
        broadcaster.publish(app, channel, "sentinel", "{}", null);
    }

    @Test
    void aMembersEventReachesTheOtherSubscribersButNotTheSender() throws Exception {
        App app = TestApps.app().clientEventRate(0).build();
        RecordingTransport listenerTransport = new RecordingTransport();
        join(open(app, listenerTransport), "private-room", Connection.NOT_PRESENCE);
        RecordingTransport senderTransport = new RecordingTransport();
        Connection sender = open(app, senderTransport);
        join(sender, "private-room", Connection.NOT_PRESENCE);

        send(sender, clientEvent("client-typing", "private-room", "{\"on\":true}"));
        sentinel(app, "private-room");
        assertEquals(List.of(Frames.clientEvent("client-typing", "private-room", "{\"on\":true}", null),
                Frames.event("sentinel", "private-room", "{}")), listenerTransport.frames());
        assertEquals(List.of(Frames.event("sentinel", "private-room", "{}")), senderTransport.frames(),
                "the sentinel is the sender's next frame: its own event never came back");
    }

    @Test
    void aPresenceMembersEventNamesItsUser() throws Exception {
        App app = TestApps.app().clientEventRate(0).build();
        RecordingTransport listenerTransport = new RecordingTransport();
        join(open(app, listenerTransport), "presence-room", new Member("w", "\"w\"", null));
        Connection ann = open(app, new RecordingTransport());
        join(ann, "presence-room", new Member("7", "7", null));
        listenerTransport.take();

        send(ann, clientEvent("client-wave", "presence-room", "{}"));
        assertEquals(List.of(Frames.clientEvent("client-wave", "presence-room", "{}", "7")), listenerTransport.frames());
    }

    @Test
    void aNonMemberIsRefusedWhenOnlyMembersMaySpeak() throws Exception {
        App app = TestApps.app().clientEvents(ClientEventPolicy.MEMBERS).build();
        RecordingTransport listenerTransport = new RecordingTransport();
        join(open(app, listenerTransport), "private-room", Connection.NOT_PRESENCE);
        RecordingTransport outsiderTransport = new RecordingTransport();

        send(open(app, outsiderTransport), clientEvent("client-spoof", "private-room", "{}"));
        assertEquals(List.of(PusherError.NOT_A_MEMBER.frame()), outsiderTransport.frames());
        sentinel(app, "private-room");
        assertEquals(List.of(Frames.event("sentinel", "private-room", "{}")), listenerTransport.frames());
    }

    @Test
    void aNonMembersEventIsDeliveredWhenAnyoneMaySpeakButNeverCached() throws Exception {
        App app = TestApps.app().clientEvents(ClientEventPolicy.ALL).build();
        RecordingTransport listenerTransport = new RecordingTransport();
        join(open(app, listenerTransport), "private-cache-room", Connection.NOT_PRESENCE);

        send(open(app, new RecordingTransport()), clientEvent("client-spoof", "private-cache-room", "{}"));
        assertEquals(List.of(Frames.clientEvent("client-spoof", "private-cache-room", "{}", null)), listenerTransport.frames());
        assertNull(broadcasting.occupancy().cached(app, "private-cache-room"));
    }

    @Test
    void anAppWithClientEventsOffRefusesThemAll() throws Exception {
        App app = TestApps.app().clientEvents(ClientEventPolicy.NONE).build();
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(app, transport);
        join(connection, "private-room", Connection.NOT_PRESENCE);
        send(connection, clientEvent("client-a", "private-room", "{}"));
        assertEquals(List.of(PusherError.CLIENT_EVENTS_DISABLED.frame()), transport.frames());
    }

    @Test
    void publicChannelsTakeNoClientEvents() throws Exception {
        App app = TestApps.app().build();
        RecordingTransport transport = new RecordingTransport();
        Connection connection = open(app, transport);
        join(connection, "news", Connection.NOT_PRESENCE);
        send(connection, clientEvent("client-a", "news", "{}"));
        assertEquals(List.of(PusherError.CLIENT_EVENT_CHANNEL.frame()), transport.frames());
    }

    @Test
    void eventsOverTheConnectionsRateAreRefused() throws Exception {
        App app = TestApps.app().clientEventRate(2).build();
        RecordingTransport listenerTransport = new RecordingTransport();
        join(open(app, listenerTransport), "private-room", Connection.NOT_PRESENCE);
        RecordingTransport senderTransport = new RecordingTransport();
        Connection sender = open(app, senderTransport);
        join(sender, "private-room", Connection.NOT_PRESENCE);

        for (int i = 0; i < 3; i++) {
            send(sender, clientEvent("client-n", "private-room", "{\"i\":" + i + "}"));
        }
        assertEquals(List.of(PusherError.RATE_LIMITED.frame()), senderTransport.frames());
        assertEquals(2, listenerTransport.frames().size());
    }
}
