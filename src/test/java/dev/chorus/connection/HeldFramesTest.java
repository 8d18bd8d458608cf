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
        connection.release(EncodedFrame.of("{\"event\":\"confirmed\"}"), "presence-a", "me", 7);
        assertEquals(List.of("{\"event\":\"confirmed\"}", "{\"event\":\"plain\"}", member("presence-a", "bob", 9).text(),
                member("presence-b", "carl", 3).text(), member("presence-a", "dan", RosterChange.UNORDERED).text()),
                transport.frames(), "ann@5 is in the roster read at 7, and no one is told of themselves; other channels are not this roster's");
    }

    @Test
    void afterTheConfirmationMemberFramesTheRosterHasAreStillLeftOutAndNewsGoesOut() {
        connection.hold();
        connection.release(EncodedFrame.of("{\"event\":\"confirmed\"}"), "presence-a", "me", 7);
        // Fan-out may have decided on these before the confirmation and hand them over only now.
        connection.send(member("presence-a", "ann", 6));
        connection.send(List.of(member("presence-a", "me", 8), EncodedFrame.of("{\"event\":\"plain\"}"), member("presence-a", "bob", 8)));
        assertEquals(List.of("{\"event\":\"confirmed\"}", "{\"event\":\"plain\"}", member("presence-a", "bob", 8).text()),
                transport.frames());
    }

    @Test
    void aConnectionThatLeftTheChannelNoLongerFiltersItsFrames() {
        connection.hold();
        connection.release(EncodedFrame.of("{\"event\":\"confirmed\"}"), "presence-a", "me", 7);
        connection.forgetRoster("presence-a");
        connection.send(member("presence-a", "ann", 6));
        assertEquals(List.of("{\"event\":\"confirmed\"}", member("presence-a", "ann", 6).text()), transport.frames());
    }

    @Test
    void aPlainReleaseLeavesOutHeldFramesARosterSentEarlierAlreadyHas() {
        connection.hold();
        connection.release(EncodedFrame.of("{\"event\":\"first\"}"), "presence-a", "me", 7);
        connection.hold();
        connection.send(member("presence-a", "ann", 5));
        connection.send(member("presence-a", "bob", 9));
        connection.release(EncodedFrame.of("{\"event\":\"again\"}"));
        assertEquals(List.of("{\"event\":\"first\"}", "{\"event\":\"again\"}", member("presence-a", "bob", 9).text()),
                transport.frames(), "a subscribe again keeps the roster the first one was sent");
    }
}
