package dev.chorus.relay.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.relay.Envelope;
import dev.chorus.relay.EnvelopeCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboxTest {
    private static String encoded(int i) {
        return EnvelopeCodec.encode(Envelope.event("n1", "1", "news", "frame " + i, null));
    }

    private static List<String> frames(List<String> batch) {
        List<String> frames = new ArrayList<>();
        for (String message : batch) {
            frames.add(EnvelopeCodec.decode(message).frame());
        }
        return frames;
    }

    @Test
    void everythingQueuedGoesInOneBatchInTheOrderItWasPublished() throws Exception {
        Outbox outbox = new Outbox(100, 10);
        for (int i = 0; i < 3; i++) {
            outbox.offer(encoded(i));
        }
        assertEquals(List.of("frame 0", "frame 1", "frame 2"), frames(outbox.take(1_000)));
    }

    @Test
    void aBatchTakesNoMoreThanTheBatchSizeAndLeavesTheRestForTheNext() throws Exception {
        Outbox outbox = new Outbox(100, 2);
        for (int i = 0; i < 3; i++) {
            outbox.offer(encoded(i));
        }
        assertEquals(List.of("frame 0", "frame 1"), frames(outbox.take(1_000)));
        assertEquals(List.of("frame 2"), frames(outbox.take(1_000)));
    }

    @Test
    void envelopesAreNumberedOnePastTheLastAcrossBatches() throws Exception {
        Outbox outbox = new Outbox(100, 2);
        for (int i = 0; i < 3; i++) {
            outbox.offer(encoded(i));
        }
        List<Long> numbers = new ArrayList<>();
        outbox.take(1_000).forEach(message -> numbers.add(EnvelopeCodec.sequence(message)));
        outbox.take(1_000).forEach(message -> numbers.add(EnvelopeCodec.sequence(message)));
        assertEquals(List.of(1L, 2L, 3L), numbers);
    }

    @Test
    void aFullOutboxRefusesAndCountsInsteadOfBlockingThePublisher() {
        Outbox outbox = new Outbox(2, 10);
        for (int i = 0; i < 5; i++) {
            outbox.offer(encoded(i));
        }
        assertEquals(3, outbox.refused());
    }

    @Test
    void nothingPublishedInTimeGivesAnEmptyBatch() throws Exception {
        assertTrue(new Outbox(10, 10).take(1).isEmpty());
    }
}
