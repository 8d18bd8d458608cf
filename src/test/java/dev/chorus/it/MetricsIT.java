package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** /metrics in Prometheus text, behind a bearer token, moving as clients connect, talk and leave. */
class MetricsIT {
    private static String scrape(int port, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        return response.body();
    }

    private static double value(String scrape, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : -1;
    }

    @Test
    void countersAndGaugesFollowTheTrafficAndTheTokenGuardsThem() throws Exception {
        try (ChorusProcess chorus = ChorusProcess.start("server:\n  metrics_token: s3cret\napps:\n  - id: \"m\"\n    key: mk\n"
                + "    secret: ms\n")) {
            HttpResponse<String> denied = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + chorus.port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, denied.statusCode());
            assertTrue(denied.body().startsWith("{\"error\":"), denied.body());

            try (Wire.Client a = Wire.open(chorus.port, "mk"); Wire.Client b = Wire.open(chorus.port, "mk")) {
                a.send(Wire.subscribe("metered"));
                a.next();
                b.send(Wire.subscribe("metered"));
                b.next();
                String body = "{\"name\":\"e\",\"channel\":\"metered\",\"data\":\"d\"}";
                Http.Reply reply = Http.send(chorus.port, "POST", "/apps/m/events", "/apps/m/events", body, "mk", "ms",
                        System.currentTimeMillis() / 1000, Map.of(), body);
                assertEquals(200, reply.status());
                a.next();
                b.next();
                String scrape = scrape(chorus.port, "s3cret");
                assertEquals(2.0, value(scrape, "chorus_connections{app=\"m\"}"), scrape);
                assertEquals(2.0, value(scrape, "chorus_subscriptions{app=\"m\"}"));
                assertEquals(1.0, value(scrape, "chorus_channels{app=\"m\",kind=\"public\"}"));
                assertEquals(2.0, value(scrape, "chorus_messages_received_total{app=\"m\"}"));
                assertTrue(value(scrape, "chorus_messages_sent_total{app=\"m\"}") >= 2.0);
                assertEquals(1.0, value(scrape, "chorus_http_requests_total{route=\"apps/{appId}/events\",status=\"200\"}"), scrape);
                assertTrue(scrape.contains("jvm_memory_used_bytes"), "JVM basics");
                assertTrue(value(scrape, "jetty_threads") > 0, "Jetty basics from the launcher");
                assertTrue(value(scrape, "jetty_connections_open") >= 2, scrape);
            }
            long deadline = System.currentTimeMillis() + 5_000;
            String after;
            do {
                after = scrape(chorus.port, "s3cret");
            } while (value(after, "chorus_connections{app=\"m\"}") != 0.0 && System.currentTimeMillis() < deadline);
            assertEquals(2.0, value(after, "chorus_connections_closed_total{app=\"m\",reason=\"client\"}"), after);
            assertEquals(2.0, value(after, "chorus_connections_opened_total{app=\"m\"}"));
        }
    }
}
