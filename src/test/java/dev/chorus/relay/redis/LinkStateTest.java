package dev.chorus.relay.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.Scaling;
import dev.chorus.relay.redis.LinkState.Side;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LinkStateTest {
    private final AtomicInteger reconnects = new AtomicInteger();
    private final LinkState link = new LinkState(Scaling.DISABLED, () -> 0, () -> 0, System::currentTimeMillis);

    LinkStateTest() {
        link.onReconnect(reconnects::incrementAndGet);
    }

    @Test
    void theRelayIsConnectedOnlyWhileBothLinksAreUp() {
        assertFalse(link.connected());
        link.up(Side.PUBLISHER);
        assertFalse(link.connected());
        link.up(Side.SUBSCRIBER);
        assertTrue(link.connected());
        link.lost(Side.SUBSCRIBER);
        assertFalse(link.connected());
    }

    @Test
    void theFirstTimeBothLinksAreUpCountsAsAReconnectSinceNothingWasReportedBefore() {
        link.up(Side.SUBSCRIBER);
        assertEquals(0, reconnects.get());
        link.up(Side.PUBLISHER);
        assertEquals(1, reconnects.get());
    }

    @Test
    void manyFailedAttemptsMakeOneOutageAndOneReconnect() {
        link.up(Side.PUBLISHER);
        link.up(Side.SUBSCRIBER);
        assertTrue(link.down(Side.PUBLISHER, new RuntimeException("refused")));
        assertFalse(link.down(Side.PUBLISHER, new RuntimeException("refused")));
        assertFalse(link.down(Side.SUBSCRIBER, new RuntimeException("refused")));
        link.up(Side.PUBLISHER);
        assertEquals(1, reconnects.get(), "one link back is not the link back");
        link.up(Side.SUBSCRIBER);
        assertEquals(2, reconnects.get());
        link.up(Side.SUBSCRIBER);
        assertEquals(2, reconnects.get(), "already up: nothing to react to");
    }

    @Test
    void aLinkReplacedWithoutAFailureIsNoOutage() {
        link.up(Side.PUBLISHER);
        link.up(Side.SUBSCRIBER);
        link.lost(Side.SUBSCRIBER);
        link.up(Side.SUBSCRIBER);
        assertEquals(1, reconnects.get());
    }

    @Test
    void aReconnectTaskThatThrowsLeavesTheLinkUp() {
        link.onReconnect(() -> {
            throw new IllegalStateException("boom");
        });
        link.up(Side.PUBLISHER);
        link.up(Side.SUBSCRIBER);
        assertTrue(link.connected());
    }
}
