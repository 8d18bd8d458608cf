package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.pusher.rest.Pusher;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With a route prefix the SDKs sign the path without it (pusher-php-server's and pusher-http-java's
 * convention); a client that signs the full path is accepted as well.
 */
class PathPrefixIT {
    @Test
    void theSameTriggerWorksUnderAPrefixSignedWithoutItOrWithIt() throws Exception {
        String yaml = "apps:\n  - id: \"5\"\n    key: pk\n    secret: ps\n";
        try (ChorusProcess chorus = ChorusProcess.start(yaml, "--path", "/realtime")) {
            Pusher sdk = new Pusher("5", "pk", "ps");
            sdk.setHost("127.0.0.1:" + chorus.port + "/realtime");
            sdk.setEncrypted(false);
            try (RawWebSocket ws = RawWebSocket.connect(chorus.port, "/realtime/app/pk?protocol=7")) {
                ws.nextText(5_000);
                ws.sendText(Wire.subscribe("news"));
                ws.nextText(5_000);
                assertEquals(200, sdk.trigger("news", "headline", "sdk").getHttpStatus());
                assertEquals("{\"event\":\"headline\",\"data\":\"\\\"sdk\\\"\",\"channel\":\"news\"}", ws.nextText(5_000));

                String body = "{\"name\":\"headline\",\"channel\":\"news\",\"data\":\"full\"}";
                Http.Reply full = Http.send(chorus.port, "POST", "/realtime/apps/5/events", "/realtime/apps/5/events", body,
                        "pk", "ps", System.currentTimeMillis() / 1000, Map.of(), body);
                assertEquals(200, full.status(), full.body());
                assertEquals("{\"event\":\"headline\",\"data\":\"full\",\"channel\":\"news\"}", ws.nextText(5_000));

                Http.Reply wrong = Http.send(chorus.port, "POST", "/realtime/apps/5/events", "/other/apps/5/events", body,
                        "pk", "ps", System.currentTimeMillis() / 1000, Map.of(), body);
                assertEquals(401, wrong.status());
            }
        }
    }
}
