package dev.chorus.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
    private static final List<String> LOOPBACK = List.of("127.0.0.1", "::1");

    @Test
    void anUntrustedPeersForwardedForHeaderIsIgnored() {
        assertEquals("203.0.113.9", ClientAddress.of("203.0.113.9", "1.2.3.4", LOOPBACK));
    }

    @Test
    void aTrustedProxyNamesTheClientInTheRightmostHop() {
        assertEquals("198.51.100.7", ClientAddress.of("127.0.0.1", "10.9.9.9, 198.51.100.7", LOOPBACK));
    }

    @Test
    void chainedTrustedProxiesAreSkippedUntilTheFirstUntrustedHop() {
        assertEquals("198.51.100.7", ClientAddress.of("127.0.0.1", "198.51.100.7, 10.0.0.5", List.of("127.0.0.1", "10.0.0.5")));
    }

    @Test
    void aTrustedProxyWithoutTheHeaderCountsAsItself() {
        assertEquals("127.0.0.1", ClientAddress.of("127.0.0.1", null, LOOPBACK));
        assertEquals("::1", ClientAddress.of("::1", " ", LOOPBACK));
    }

    @Test
    void anyLoopbackAddressIsTrustedWhenLoopbackIs() {
        assertEquals("192.0.2.1", ClientAddress.of("127.0.0.2", "192.0.2.1", List.of("127.0.0.1")));
        assertEquals("127.0.0.2", ClientAddress.of("127.0.0.2", "192.0.2.1", List.of()));
    }

    @Test
    void aTrustedRangeCoversEveryProxyInIt() {
        List<String> compose = List.of("172.28.0.0/16", "fd00::/8");
        assertEquals("198.51.100.7", ClientAddress.of("172.28.3.4", "198.51.100.7", compose));
        assertEquals("198.51.100.7", ClientAddress.of("fd12::1", "198.51.100.7", compose));
        assertEquals("172.29.0.1", ClientAddress.of("172.29.0.1", "198.51.100.7", compose));
    }

    @Test
    void onlyAddressesAndRangesAreSettings() {
        org.junit.jupiter.api.Assertions.assertTrue(ClientAddress.isAddressOrRange("10.0.0.5"));
        org.junit.jupiter.api.Assertions.assertTrue(ClientAddress.isAddressOrRange("10.0.0.0/8"));
        org.junit.jupiter.api.Assertions.assertTrue(ClientAddress.isAddressOrRange("::1"));
        org.junit.jupiter.api.Assertions.assertFalse(ClientAddress.isAddressOrRange("10.0.0.0/33"));
        org.junit.jupiter.api.Assertions.assertFalse(ClientAddress.isAddressOrRange("proxy.example.com"));
        org.junit.jupiter.api.Assertions.assertFalse(ClientAddress.isAddressOrRange("10.0.0.0/x"));
        org.junit.jupiter.api.Assertions.assertFalse(ClientAddress.isAddressOrRange("cafe"), "a name, never looked up");
    }
}
