package dev.chorus.relay.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chorus.relay.ClusterState.Member;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReapedTest {
    private static final String SEP = PresenceEntry.SEP;

    @Test
    void theScriptsAnswerBecomesTheMembersGoneAndTheChannelsWhoseCountsChanged() {
        Reaped reaped = Reaped.from(List.of(
                List.of("1" + SEP + "presence-a" + SEP + "u1", "{\"user_id\":\"u1\"}", 7L, "2" + SEP + "presence-b" + SEP + "u2", "{}", 8L),
                List.of("1" + SEP + "news", "2" + SEP + "chat")));
        assertEquals(List.of(new Member("1", "presence-a", "u1", "{\"user_id\":\"u1\"}", 7), new Member("2", "presence-b", "u2", "{}", 8)),
                reaped.gone());
        assertEquals(List.of(new Reaped.Channel("1", "news"), new Reaped.Channel("2", "chat")), reaped.channels());
    }

    @Test
    void aNodeFoundAliveReapsNothing() {
        assertNull(Reaped.from(null));
        assertNull(Reaped.from(0L));
    }

    @Test
    void anEntryThatIsNotOneIsSkippedAndTheRestAnnounced() {
        Reaped reaped = Reaped.from(List.of(List.of("garbage", "{}", 1L, "1" + SEP + "presence-a" + SEP + "u", "{}", 2L), List.of()));
        assertEquals(List.of(new Member("1", "presence-a", "u", "{}", 2)), reaped.gone());
        assertEquals(List.of(), reaped.channels());
    }
}
