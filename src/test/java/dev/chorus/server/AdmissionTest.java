package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chorus.protocol.PusherError;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    private static final List<String> LOOPBACK = List.of("127.0.0.1", "::1");

    @Test
    void theServerWideCapRefusesTheFirstSocketOverItAndReleasingMakesRoom() {
        Admission admission = new Admission(2, 0, LOOPBACK);
        Admission.Decision first = admission.admit("203.0.113.1", null);
        assertNotNull(admission.admit("203.0.113.2", null).ticket());
        assertEquals(PusherError.SERVER_FULL, admission.admit("203.0.113.3", null).refusal());
        admission.release(first.ticket());
        assertNull(admission.admit("203.0.113.3", null).refusal());
        assertEquals(2, admission.open());
    }

    @Test
    void oneAddressGetsAtMostItsShareWhileOthersStillGetIn() {
        Admission admission = new Admission(0, 2, LOOPBACK);
        admission.admit("203.0.113.1", null);
        Admission.Decision second = admission.admit("203.0.113.1", null);
        assertEquals(PusherError.ADDRESS_FULL, admission.admit("203.0.113.1", null).refusal());
        assertNull(admission.admit("203.0.113.2", null).refusal());
        admission.release(second.ticket());
        assertNull(admission.admit("203.0.113.1", null).refusal());
    }

    @Test
    void clientsBehindATrustedProxyAreCountedByTheAddressItForwards() {
        Admission admission = new Admission(0, 1, LOOPBACK);
        assertNull(admission.admit("127.0.0.1", "198.51.100.7").refusal());
        assertEquals(PusherError.ADDRESS_FULL, admission.admit("127.0.0.1", "198.51.100.7").refusal());
        assertNull(admission.admit("127.0.0.1", "198.51.100.8").refusal());
    }

    @Test
    void aTrustedProxysOwnSocketsAndUnknownPeersAreNotCountedPerAddress() {
        Admission admission = new Admission(0, 1, LOOPBACK);
        for (int i = 0; i < 5; i++) {
            assertNull(admission.admit("127.0.0.1", null).refusal());
            assertNull(admission.admit(null, null).refusal());
        }
    }

    @Test
    void anUntrustedPeerCannotChooseItsAddressWithAForwardedForHeader() {
        Admission admission = new Admission(0, 1, LOOPBACK);
        assertNull(admission.admit("203.0.113.1", "198.51.100.1").refusal());
        assertEquals(PusherError.ADDRESS_FULL, admission.admit("203.0.113.1", "198.51.100.2").refusal());
    }
}
