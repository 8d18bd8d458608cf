package dev.chorus.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.protocol.EncodedFrame;
import dev.chorus.protocol.RosterChange;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What waits while a subscription is confirmed goes out after the confirmation, less what its roster already said. */
class HeldFramesTest {
    private final RecordingTransport transport = new RecordingTransport();
    private final Connection connection = new Connection("1.1", TestApps.app().build(), transport, FrameLog.SILENT, () -> { });

    private static EncodedFrame member(String channel, String user, long version) {
        return EncodedFrame.of("{\"member\":\"" + user + "@" + version + "\",\"channel\":\"" + channel + "\"}",
                new RosterChange(channel, user, version));
    }

    @Test
    void framesSentWhileHeldFollowTheConfirmationInOrder() {
        connection.hold();
        connection.send("{\"event\":\"one\"}");
        connection.send(List.of(EncodedFrame.of("{\"event\":\"two\"}"), EncodedFrame.of("{\"event\":\"three\"}")));
        assertEquals(List.of(), transport.frames(), "nothing before the confirmation");
        connection.release(EncodedFrame.of("{\"event\":\"confirmed\"}"));
        connection.send("{\"event\":\"after\"}");
        assertEquals(List.of("{\"event\":\"confirmed\"}", "{\"event\":\"one\"}", "{\"event\":\"two\"}", "{\"event\":\"three\"}",
                "{\"event\":\"after\"}"), transport.frames());
    }

    @Test
    void heldMemberFramesTheRosterAlreadyHasOrAboutTheConnectionsOwnUserAreLeftOut() {
        connection.hold();
        connection.send(member("presence-a", "ann", 5));
        connection.send(EncodedFrame.of("{\"event\":\"plain\"}"));
        connection.send(member("presence-a", "me", 9));
        connection.send(member("presence-a", "bob", 9));
        connection.send(member("presence-b", "carl", 3));
        connection.send(member("presence-a", "dan", RosterChange.UNORDERED));
        connection.release(EncodedFrame.of("{\"event\":\"confirmed\"}"), "presence-a", 7, "me");
        assertEquals(List.of("{\"event\":\"confirmed\"}", "{\"event\":\"plain\"}", member("presence-a", "bob", 9).text(),
                member("presence-b", "carl", 3).text(), member("presence-a", "dan", RosterChange.UNORDERED).text()),
                transport.frames(), "ann@5 is in the roster read at 7, and no one is told of themselves; other channels are not this roster's");
    }
}
