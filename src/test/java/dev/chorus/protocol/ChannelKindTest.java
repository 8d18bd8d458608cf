package dev.chorus.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChannelKindTest {
    @Test
    void kindIsDecidedByExactPrefixesLongestFirst() {
        assertEquals(ChannelKind.PRIVATE_ENCRYPTED_CACHE, ChannelKind.of("private-encrypted-cache-x"));
        assertEquals(ChannelKind.PRIVATE_ENCRYPTED, ChannelKind.of("private-encrypted-x"));
        assertEquals(ChannelKind.PRIVATE_CACHE, ChannelKind.of("private-cache-x"));
        assertEquals(ChannelKind.PRESENCE_CACHE, ChannelKind.of("presence-cache-x"));
        assertEquals(ChannelKind.CACHE, ChannelKind.of("cache-x"));
        assertEquals(ChannelKind.PRIVATE, ChannelKind.of("private-x"));
        assertEquals(ChannelKind.PRESENCE, ChannelKind.of("presence-x"));
        assertEquals(ChannelKind.SERVER_TO_USER, ChannelKind.of("#server-to-user-1"));
        assertEquals(ChannelKind.PUBLIC, ChannelKind.of("news"));
    }

    @Test
    void prefixesWithoutTheirHyphenArePublicUnlikeReverb() {
        assertEquals(ChannelKind.PUBLIC, ChannelKind.of("privatefoo"));
        assertEquals(ChannelKind.PUBLIC, ChannelKind.of("presencefoo"));
        assertEquals(ChannelKind.PUBLIC, ChannelKind.of("cachefoo"));
    }

    @Test
    void everyAuthenticatedKindNeedsAuthAndOnlyPresenceKindsHaveRosters() {
        assertTrue(ChannelKind.PRIVATE_ENCRYPTED_CACHE.requiresAuth());
        assertTrue(ChannelKind.PRESENCE_CACHE.presence());
        assertFalse(ChannelKind.CACHE.requiresAuth());
        assertTrue(ChannelKind.PRIVATE_ENCRYPTED_CACHE.cached());
    }

    @Test
    void clientEventsOnlyOnPrivateAndPresenceNeverEncrypted() {
        assertTrue(ChannelKind.PRIVATE.acceptsClientEvents());
        assertTrue(ChannelKind.PRESENCE.acceptsClientEvents());
        assertTrue(ChannelKind.PRIVATE_CACHE.acceptsClientEvents());
        assertFalse(ChannelKind.PUBLIC.acceptsClientEvents());
        assertFalse(ChannelKind.CACHE.acceptsClientEvents());
        assertFalse(ChannelKind.PRIVATE_ENCRYPTED.acceptsClientEvents());
        assertFalse(ChannelKind.SERVER_TO_USER.acceptsClientEvents());
    }

    @Test
    void namesAreOneTo164CharactersOfThePusherSet() {
        assertTrue(ChannelKind.isValidName("a-b_c=d@e,f.g;h"));
        assertTrue(ChannelKind.isValidName("x".repeat(164)));
        assertFalse(ChannelKind.isValidName("x".repeat(165)));
        assertFalse(ChannelKind.isValidName(""));
        assertFalse(ChannelKind.isValidName("a b"));
        assertFalse(ChannelKind.isValidName("a/b"));
        assertFalse(ChannelKind.isValidName("é"));
        assertTrue(ChannelKind.isValidName("#server-to-user-42"));
        assertFalse(ChannelKind.isValidName("#server-to-user-"));
        assertFalse(ChannelKind.isValidName("#other"));
    }
}
