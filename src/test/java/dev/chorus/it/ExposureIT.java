package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a node on 0.0.0.0 shows to whom: {@code /metrics} and every {@code /dashboard} route answer
 * clients on this machine while no token is set and nobody else, and with a token set, whoever presents
 * it. Other addresses reach the node through this machine's own non-loopback address, so the server
 * sees a real non-loopback peer.
 */
class ExposureIT {
    private static final List<String> OPERATOR_ROUTES = List.of("/metrics", "/dashboard", "/dashboard/data",
            "/dashboard/dashboard.js", "/dashboard/chart.js");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** The first up, non-loopback IPv4 address of this machine, or null. */
    private static String outsideAddress() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return address.getHostAddress();
                }
            }
        }
        return null;
    }

    private static HttpResponse<String> get(String host, int port, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ChorusProcess onAllAddresses(String yaml) throws Exception {
        // The later --host wins over ChorusProcess's loopback default.
        return ChorusProcess.start(yaml, "--host", "0.0.0.0");
    }

    @Test
    void withoutATokenOperatorRoutesAnswerThisMachineAndRefuseEveryOtherAddress() throws Exception {
        String outside = outsideAddress();
        assumeTrue(outside != null, "this machine has no non-loopback address");
        try (ChorusProcess chorus = onAllAddresses("apps:\n  - id: \"x\"\n    key: xk\n    secret: xs\n");
             Wire.Client client = Wire.open(chorus.port, "xk")) {
            client.send(Wire.subscribe("launch-plans"));
            client.next();
            for (String route : OPERATOR_ROUTES) {
                HttpResponse<String> refused = get(outside, chorus.port, route);
                assertEquals(403, refused.statusCode(), route + " from " + outside + ": " + refused.body());
                assertTrue(refused.body().startsWith("{\"error\":") && refused.body().contains("server.metrics_token")
                        && refused.body().contains("CHORUS_METRICS_TOKEN"), refused.body());
                assertFalse(refused.body().contains("launch-plans"), refused.body());
                // A proxy on this machine relays internet clients from loopback: its forwarding header gives it away.
                assertEquals(403, get("127.0.0.1", chorus.port, route, "X-Forwarded-For", "127.0.0.1").statusCode(), route);
                assertEquals(403, get("127.0.0.1", chorus.port, route, "Forwarded", "for=127.0.0.1").statusCode(), route);
                // A token means nothing to a server that has none: it does not open the door.
                assertEquals(403, get(outside, chorus.port, route, "Authorization", "Bearer guess").statusCode(), route);
                // The operator on the machine is served.
                assertEquals(200, get("127.0.0.1", chorus.port, route).statusCode(), route);
            }
            assertTrue(get("127.0.0.1", chorus.port, "/dashboard/data").body().contains("launch-plans"), "top channels, locally");
            assertTrue(get("127.0.0.1", chorus.port, "/metrics").body().contains("chorus_connections{app=\"x\"}"));
            // Unauthenticated routes stay open and name no channel.
            HttpResponse<String> up = get(outside, chorus.port, "/up");
            assertEquals(200, up.statusCode());
            assertEquals("{\"health\":\"OK\"}", up.body());
        }
    }

    @Test
    void withATokenEveryAddressLoopbackIncludedNeedsItAndTheDashboardCookieIsScoped() throws Exception {
        String outside = outsideAddress();
        assumeTrue(outside != null, "this machine has no non-loopback address");
        try (ChorusProcess chorus = onAllAddresses("server:\n  metrics_token: t0ken\napps:\n  - id: \"y\"\n    key: yk\n"
                + "    secret: ys\n")) {
            for (String host : List.of("127.0.0.1", outside)) {
                for (String route : OPERATOR_ROUTES) {
                    HttpResponse<String> none = get(host, chorus.port, route);
                    assertEquals(401, none.statusCode(), route + " from " + host);
                    assertTrue(none.body().startsWith("{\"error\":") && none.body().contains("Authorization: Bearer"), none.body());
                    assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
                    assertEquals(401, get(host, chorus.port, route, "Authorization", "Bearer t0ke").statusCode(), route);
                    assertEquals(401, get(host, chorus.port, route, "Authorization", "Bearer t0ken-and-more").statusCode(), route);
                    assertEquals(200, get(host, chorus.port, route, "Authorization", "Bearer t0ken").statusCode(), route + " from " + host);
                }
            }
            // The page takes ?token= once and answers with a cookie for the dashboard's own requests.
            assertEquals(401, get(outside, chorus.port, "/dashboard?token=wrong").statusCode());
            HttpResponse<String> page = get(outside, chorus.port, "/dashboard?token=t0ken");
            assertEquals(200, page.statusCode());
            String setCookie = page.headers().firstValue("Set-Cookie").orElse("");
            assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/dashboard"),
                    setCookie);
            assertFalse(setCookie.contains("t0ken"), "the cookie is not the token: " + setCookie);
            assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElse(""));
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            assertEquals(200, get(outside, chorus.port, "/dashboard/data", "Cookie", cookie).statusCode());
            assertEquals(200, get(outside, chorus.port, "/dashboard/chart.js", "Cookie", cookie).statusCode());
            // ?token= only on the page (it would land in access logs everywhere else); the cookie only on the dashboard.
            assertEquals(401, get(outside, chorus.port, "/dashboard/data?token=t0ken").statusCode());
            assertEquals(401, get(outside, chorus.port, "/metrics?token=t0ken").statusCode());
            assertEquals(401, get(outside, chorus.port, "/metrics", "Cookie", cookie).statusCode());
            assertEquals(200, get(outside, chorus.port, "/up").statusCode());
        }
    }

    @Test
    void operatorRoutesUnderARoutePrefixFollowTheSameRule() throws Exception {
        String outside = outsideAddress();
        assumeTrue(outside != null, "this machine has no non-loopback address");
        try (ChorusProcess chorus = ChorusProcess.start("apps:\n  - id: \"z\"\n    key: zk\n    secret: zs\n", "--host", "0.0.0.0",
                "--path", "/rt")) {
            for (String route : List.of("/rt/metrics", "/rt/dashboard", "/rt/dashboard/data")) {
                assertEquals(403, get(outside, chorus.port, route).statusCode(), route);
                assertEquals(200, get("127.0.0.1", chorus.port, route).statusCode(), route);
            }
        }
        try (ChorusProcess chorus = ChorusProcess.start("server:\n  metrics_token: t\napps:\n  - id: \"z\"\n    key: zk\n    secret: zs\n",
                "--path", "/rt")) {
            HttpResponse<String> page = get("127.0.0.1", chorus.port, "/rt/dashboard?token=t");
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("Set-Cookie").orElse("").contains("Path=/rt/dashboard"), page.headers().map().toString());
        }
    }
}
