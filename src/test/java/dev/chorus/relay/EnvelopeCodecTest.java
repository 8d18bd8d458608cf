package dev.chorus.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {
    @Test
    void everyEnvelopeSurvivesTheRoundTripExactly() {
        for (Envelope envelope : new Envelope[] {
                Envelope.event("n1", "app", "presence-a", "{\"event\":\"e\",\"data\":\"\\\"x\\\"\"}", "1.2"),
                Envelope.event("n1", "app", "news", "frame", null),
                Envelope.internal("n2", "app", "presence-a", "{\"event\":\"pusher_internal:member_added\"}", "3.4"),
                Envelope.terminate("n3", "app", "user \u2603"),
                Envelope.count("n4", "app", "room"),
                Envelope.userStatus("n5", "app", "ann \u2603", true),
                Envelope.userStatus("n5", "app", "42", false),
                Envelope.restart("cmd")}) {
            assertEquals(envelope, EnvelopeCodec.decode(EnvelopeCodec.encode(envelope)));
        }
    }

    @Test
    void aSequencedEnvelopeDecodesAsBeforeAndTellsItsNumber() {
        Envelope envelope = Envelope.event("n1", "app", "news", "{\"event\":\"e\",\"data\":\"{\\\"q\\\":1}\"}", null);
        String sequenced = EnvelopeCodec.withSequence(EnvelopeCodec.encode(envelope), 4711);
        assertEquals(envelope, EnvelopeCodec.decode(sequenced));
        assertEquals(4711, EnvelopeCodec.sequence(sequenced));
        org.junit.jupiter.api.Assertions.assertTrue(EnvelopeCodec.sentAt(sequenced) > 0);
    }

    @Test
    void anEnvelopeWithoutASequenceNumberHasNone() {
        assertEquals(-1, EnvelopeCodec.sequence(EnvelopeCodec.encode(Envelope.restart("n"))));
        assertEquals(-1, EnvelopeCodec.sequence("{\"q\":x}"));
    }

    @Test
    void garbageDecodesToNullNeverThrows() {
        for (String bad : new String[] {"", "x", "[]", "{}", "{\"n\":\"a\",\"a\":\"b\",\"t\":\"e\"}", "{\"n\":1,\"a\":\"b\",\"t\":\"r\"}",
                "{\"n\":\"a\",\"a\":\"b\",\"t\":\"?\"}"}) {
            assertNull(EnvelopeCodec.decode(bad), bad);
        }
    }
}
