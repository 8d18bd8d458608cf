package dev.chorus.relay.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OutageBufferTest {
    private final AtomicLong clock = new AtomicLong(1_000);

    @Test
    void heldMessagesComeBackOldestFirstAndStayUntilRemoved() {
        OutageBuffer buffer = new OutageBuffer(10, 30_000, clock::get);
        buffer.addAll(List.of("1", "2"));
        buffer.addAll(List.of("3"));
        assertEquals(List.of("1", "2"), buffer.peek(2));
        assertEquals(List.of("1", "2", "3"), buffer.peek(10), "peeking removes nothing");
        buffer.remove(2);
        assertEquals(List.of("3"), buffer.peek(10));
        assertEquals(1, buffer.size());
        buffer.remove(1);
        assertTrue(buffer.isEmpty());
        assertEquals(0, buffer.dropped());
    }

    @Test
    void messagesBeyondTheCapacityAreDroppedAndCountedKeepingTheOlderOnes() {
        OutageBuffer buffer = new OutageBuffer(3, 30_000, clock::get);
        buffer.addAll(List.of("1", "2"));
        buffer.addAll(List.of("3", "4", "5"));
        assertEquals(List.of("1", "2", "3"), buffer.peek(10));
        assertEquals(2, buffer.dropped());
    }

    @Test
    void messagesHeldLongerThanTheMaximumAgeAreDroppedAndCounted() {
        OutageBuffer buffer = new OutageBuffer(10, 30_000, clock::get);
        buffer.addAll(List.of("old"));
        clock.addAndGet(20_000);
        buffer.addAll(List.of("newer"));
        clock.addAndGet(10_001);
        assertEquals(List.of("newer"), buffer.peek(10));
        assertEquals(1, buffer.dropped());
        assertEquals(1, buffer.size());
    }

    @Test
    void aZeroCapacityDropsEverythingAsWithoutABuffer() {
        OutageBuffer buffer = new OutageBuffer(0, 30_000, clock::get);
        buffer.addAll(List.of("1", "2"));
        assertTrue(buffer.isEmpty());
        assertEquals(2, buffer.dropped());
    }
}
