package dev.chorus.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** max_cache_entries and max_cached_bytes: expired entries go first, then a new event is not kept. */
class ChannelCacheBoundsTest {
    private static final long TTL = 1_000;
    private final ChannelRegistry registry = new ChannelRegistry();

    @Test
    void overTheEntryBoundTheNewEventIsNotKeptAndTheOldOnesStay() {
        assertTrue(registry.cache("cache-a", "A", TTL, 0, 2, 1_000));
        assertTrue(registry.cache("cache-b", "B", TTL, 0, 2, 1_000));
        assertFalse(registry.cache("cache-c", "C", TTL, 10, 2, 1_000));
        assertNull(registry.cached("cache-c", 10));
        assertEquals("A", registry.cached("cache-a", 10));
        assertEquals("B", registry.cached("cache-b", 10));
        assertTrue(registry.cache("cache-a", "A2", TTL, 10, 2, 1_000), "replacing a kept channel's event is always fine");
        assertEquals("A2", registry.cached("cache-a", 10));
    }

    @Test
    void expiredEntriesMakeRoomFirst() {
        registry.cache("cache-a", "A", TTL, 0, 2, 1_000);
        registry.cache("cache-b", "B", 5 * TTL, 0, 2, 1_000);
        assertTrue(registry.cache("cache-c", "C", TTL, 2 * TTL, 2, 1_000));
        assertEquals(2, registry.cacheEntries());
        assertEquals("B", registry.cached("cache-b", 2 * TTL));
    }

    @Test
    void theByteBoundCountsEveryKeptEventAndFreesWhatExpiresOrIsReplaced() {
        assertTrue(registry.cache("cache-a", "x".repeat(60), TTL, 0, 100, 100));
        assertFalse(registry.cache("cache-b", "y".repeat(60), TTL, 0, 100, 100));
        assertEquals(60, registry.cachedBytes());
        assertTrue(registry.cache("cache-a", "z".repeat(90), TTL, 0, 100, 100));
        assertEquals(90, registry.cachedBytes());
        registry.expireCache(TTL);
        assertEquals(0, registry.cachedBytes());
        assertEquals(0, registry.cacheEntries());
    }

    @Test
    void aRefusedEventAlsoDropsTheChannelsPreviousOneWhichIsNoLongerItsLast() {
        registry.cache("cache-a", "old", TTL, 0, 10, 100);
        assertFalse(registry.cache("cache-a", "n".repeat(101), TTL, 0, 10, 100));
        assertNull(registry.cached("cache-a", 0));
        assertEquals(0, registry.cachedBytes());
    }
}
