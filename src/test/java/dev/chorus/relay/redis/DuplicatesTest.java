package dev.chorus.relay.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DuplicatesTest {
    private final Duplicates duplicates = new Duplicates();

    @Test
    void aSecondCopyOfAnEnvelopeFromARetriedPublishIsDropped() {
        assertTrue(duplicates.fresh("n1", 1));
        assertTrue(duplicates.fresh("n1", 2));
        assertFalse(duplicates.fresh("n1", 2));
        assertFalse(duplicates.fresh("n1", 1));
        assertTrue(duplicates.fresh("n1", 3));
    }

    @Test
    void eachNodeIsNumberedOnItsOwn() {
        assertTrue(duplicates.fresh("n1", 5));
        assertTrue(duplicates.fresh("n2", 1));
        assertFalse(duplicates.fresh("n2", 1));
    }

    @Test
    void envelopesWithoutANumberAlwaysPass() {
        assertTrue(duplicates.fresh("n1", -1));
        assertTrue(duplicates.fresh("n1", -1));
        assertTrue(duplicates.fresh("n1", 0));
    }
}
