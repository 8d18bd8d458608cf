package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The unsigned-API attack (path confusion) against the launcher, without and with a route prefix. */
class PathConfusionIT {
    @Test
    void everyApiRouteUnderEveryOddPathSpellingIsRefusedAndChangesNothing() throws Exception {
        ChorusProcess chorus = TestServer.shared();
        int refused = PathConfusion.assertRefusedEverywhere(chorus.port, "", TestServer.ID, TestServer.KEY, TestServer.SECRET);
        assertTrue(refused > 100, "the matrix was sent: " + refused);
    }

    @Test
    void theSameHoldsUnderARoutePrefixWithAndWithoutThePrefixInThePath() throws Exception {
        try (ChorusProcess chorus = ChorusProcess.start("apps:\n  - id: \"77\"\n    key: prefixed-key\n    secret: prefixed-secret\n",
                "--path", "/realtime")) {
            int refused = PathConfusion.assertRefusedEverywhere(chorus.port, "/realtime", "77", "prefixed-key", "prefixed-secret");
            assertTrue(refused > 200, "the matrix was sent: " + refused);
        }
    }

    @Test
    void jettysOwnRefusalsAreJsonWithoutAServerVersion() throws Exception {
        ChorusProcess chorus = TestServer.shared();
        for (String path : new String[] {"//apps/1001/events", "/apps%2F1001/events", "/apps/1001/%2E%2E/x"}) {
            Http.Reply reply = Http.raw("GET", java.net.URI.create("http://127.0.0.1:" + chorus.port + "/up"), null);
            assertTrue(reply.response().headers().firstValue("Server").isEmpty(), "no Server header");
            String answer = RawHttp.exchange(chorus.port, "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(answer.contains("Content-Type: application/json"), answer);
            assertTrue(answer.contains("{\"error\":"), answer);
            assertTrue(!answer.toLowerCase().contains("jetty") && !answer.contains("<html"), answer);
        }
    }
}
