package dev.chorus.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.api.OperatorAccess.Caller;
import dev.chorus.api.OperatorAccess.Verdict;
import org.junit.jupiter.api.Test;

class OperatorAccessTest {
    private static Caller from(String address) {
        return new Caller(address, false, null, null);
    }

    @Test
    void withoutATokenLoopbackPeersAreLetIn() {
        OperatorAccess open = new OperatorAccess(null);
        for (String address : new String[] {"127.0.0.1", "127.8.9.10", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"}) {
            assertEquals(Verdict.ALLOWED, open.decide(from(address)), address);
        }
    }

    @Test
    void withoutATokenEveryOtherPeerIsRefusedWithLoopbackOnly() {
        OperatorAccess open = new OperatorAccess("");
        for (String address : new String[] {"192.0.2.2", "10.0.0.1", "0.0.0.0", "::", "fd00::2", "::ffff:10.0.0.1", "", null,
                "localhost", "127.0.0.1.example.com"}) {
            assertEquals(Verdict.LOOPBACK_ONLY, open.decide(from(address)), String.valueOf(address));
        }
        // The legitimate operator on the machine still gets in.
        assertEquals(Verdict.ALLOWED, open.decide(from("127.0.0.1")));
    }

    @Test
    void aRequestRelayedByAProxyOnThisMachineIsNotLocal() {
        OperatorAccess open = new OperatorAccess(null);
        assertEquals(Verdict.LOOPBACK_ONLY, open.decide(new Caller("127.0.0.1", true, null, null)));
        assertEquals(Verdict.ALLOWED, open.decide(new Caller("127.0.0.1", false, null, null)));
    }

    @Test
    void aTokenPresentedToAServerWithoutOneDoesNotOpenItToRemotePeers() {
        assertEquals(Verdict.LOOPBACK_ONLY, new OperatorAccess(null).decide(new Caller("192.0.2.2", false, "anything", "x")));
    }

    @Test
    void withATokenEveryoneNeedsItLoopbackIncluded() {
        OperatorAccess guarded = new OperatorAccess("s3cret");
        assertEquals(Verdict.NEEDS_TOKEN, guarded.decide(from("127.0.0.1")));
        assertEquals(Verdict.NEEDS_TOKEN, guarded.decide(new Caller("127.0.0.1", false, "s3cre", null)));
        assertEquals(Verdict.NEEDS_TOKEN, guarded.decide(new Caller("127.0.0.1", false, "s3cret ", null)));
        assertEquals(Verdict.NEEDS_TOKEN, guarded.decide(new Caller("192.0.2.2", false, "S3CRET", null)));
        assertEquals(Verdict.ALLOWED, guarded.decide(new Caller("192.0.2.2", false, "s3cret", null)));
        assertEquals(Verdict.ALLOWED, guarded.decide(new Caller("192.0.2.2", true, "s3cret", null)));
    }

    @Test
    void theDashboardCookieOpensTheDashboardButIsNotTheToken() {
        OperatorAccess guarded = new OperatorAccess("s3cret");
        String cookie = guarded.cookieValue();
        assertNotEquals("s3cret", cookie);
        assertFalse(cookie.contains("s3cret"));
        assertEquals(Verdict.ALLOWED, guarded.decide(new Caller("192.0.2.2", false, null, cookie)));
        assertEquals(Verdict.NEEDS_TOKEN, guarded.decide(new Caller("192.0.2.2", false, null, "s3cret")));
        assertEquals(Verdict.NEEDS_TOKEN, guarded.decide(new Caller("192.0.2.2", false, null, new OperatorAccess("other").cookieValue())));
        assertNull(new OperatorAccess(null).cookieValue());
    }

    @Test
    void bearerTokensAreReadFromTheAuthorizationHeaderOnly() {
        assertEquals("abc", OperatorAccess.bearer("Bearer abc"));
        assertEquals("abc", OperatorAccess.bearer("bearer abc"));
        assertNull(OperatorAccess.bearer("Basic YWJj"));
        assertNull(OperatorAccess.bearer("Bearer "));
        assertNull(OperatorAccess.bearer(null));
    }

    @Test
    void refusalsNameTheSettingAndNeverTheToken() {
        String unauthorized = OperatorAccess.refusal(Verdict.NEEDS_TOKEN, "/metrics");
        String forbidden = OperatorAccess.refusal(Verdict.LOOPBACK_ONLY, "/metrics");
        assertTrue(unauthorized.contains("server.metrics_token") && unauthorized.contains("CHORUS_METRICS_TOKEN"), unauthorized);
        assertTrue(forbidden.contains("server.metrics_token") && forbidden.contains("CHORUS_METRICS_TOKEN"), forbidden);
        assertTrue(forbidden.contains("this machine"), forbidden);
    }
}
