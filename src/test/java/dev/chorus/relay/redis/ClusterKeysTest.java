package dev.chorus.relay.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chorus.relay.ClusterState.Member;
import org.junit.jupiter.api.Test;

class ClusterKeysTest {
    private final ClusterKeys keys = new ClusterKeys("p");

    @Test
    void everyKeyIsNamedAsTheLayoutDocumentsUnderThePrefix() {
        assertEquals("p:nodes", keys.nodes());
        assertEquals("p:node:n1", keys.heartbeat("n1"));
        assertEquals("p:np:n1", keys.nodePresence("n1"));
        assertEquals("p:pm:1:presence-a", keys.roster("1", "presence-a"));
        assertEquals("p:pn:1:presence-a:u", keys.holders("1", "presence-a", "u"));
        assertEquals("p:subs:1:n1", keys.subscriptions("1", "n1"));
        assertEquals("p:conns:1", keys.connections("1"));
        assertEquals("p:cache:1:cache-a", keys.cache("1", "cache-a"));
        assertEquals("p:rate:1:api:1700000000", keys.rate("1", "api", 1_700_000_000L));
        assertEquals("p:reap:n1", keys.reapLock("n1"));
    }

    @Test
    void thePrefixesTheSubscribeScriptCompletesWithANodeIdGiveThatNodesKeys() {
        assertEquals(keys.heartbeat("n2"), keys.heartbeatPrefix() + "n2");
        assertEquals(keys.subscriptions("1", "n2"), keys.subscriptionsPrefix("1") + "n2");
    }

    @Test
    void aPresenceEntrySurvivesEncodingEvenWithColonsInItsParts() {
        PresenceEntry entry = new PresenceEntry("1", "presence-a:b", "user:42");
        assertEquals(entry, PresenceEntry.decode(entry.encoded()));
        assertEquals(new Member("1", "presence-a:b", "user:42", "{}"), entry.member("{}"));
        assertEquals(entry, PresenceEntry.of(entry.member("{}")));
    }

    @Test
    void somethingThatIsNotAPresenceEntryDecodesToNull() {
        assertNull(PresenceEntry.decode("1" + PresenceEntry.SEP + "presence-a"));
        assertNull(PresenceEntry.decode("garbage"));
    }
}
