package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The /demo page, real Laravel Echo (broadcaster 'reverb') and pusher-js from npm, in headless
 * Chromium against the launcher: public, private and presence channels, and whispers both ways.
 */
class EchoDemoIT {
    private static final String ID = "7";
    private static final String KEY = "echo-key";
    private static final String SECRET = "echo-secret";

    private static Http.Reply trigger(int port, String channel, String message) throws Exception {
        String body = "{\"name\":\"demo-event\",\"channel\":\"" + channel + "\",\"data\":\"{\\\"message\\\":\\\"" + message + "\\\"}\"}";
        return Http.send(port, "POST", "/apps/" + ID + "/events", "/apps/" + ID + "/events", body, KEY, SECRET,
                System.currentTimeMillis() / 1000, Map.of(), body);
    }

    @Test
    void echoInTheBrowserReceivesEventsWhispersAndPresence() throws Exception {
        try (ChorusProcess chorus = ChorusProcess.start("apps:\n  - id: \"" + ID + "\"\n    key: " + KEY + "\n    secret: "
                + SECRET + "\n", "--demo");
             Wire.Client listener = Wire.open(chorus.port, KEY);
             HeadlessChromium chromium = HeadlessChromium.start()) {
            listener.send(Wire.subscribe("private-demo", KEY + ":" + new dev.chorus.protocol.Signer(SECRET)
                    .sign(listener.socketId() + ":private-demo")));
            assertEquals(Wire.succeeded("private-demo"), listener.next());

            chromium.navigate("http://127.0.0.1:" + chorus.port + "/demo");
            String log = "document.getElementById('log').innerText";
            assertTrue(chromium.waitFor(log + ".includes('here 1')", 30), "presence joined: " + chromium.evaluate(log));
            assertTrue(chromium.waitFor(log + ".includes('private subscribed')", 10), chromium.evaluate(log));
            assertEquals("connected", chromium.evaluate("document.getElementById('state').textContent"));

            assertEquals("{\"event\":\"client-typing\",\"channel\":\"private-demo\",\"data\":{\"name\":\"browser\"}}",
                    listener.next(), "the browser's whisper reached another member");
            listener.send("{\"event\":\"client-typing\",\"channel\":\"private-demo\",\"data\":{\"name\":\"tester\"}}");
            assertEquals(200, trigger(chorus.port, "demo-public", "hello").status());
            assertEquals(200, trigger(chorus.port, "private-demo", "secret").status());
            try (Wire.Client guest = Wire.joinPresence(chorus.port, KEY, SECRET, "presence-demo", "guest",
                    "{\"name\":\"guest\"}")) {
                assertTrue(chromium.waitFor(log + ".includes('joining guest')", 10), chromium.evaluate(log));
            }
            assertTrue(chromium.waitFor(log + ".includes('leaving guest')", 10), chromium.evaluate(log));
            assertTrue(chromium.waitFor(log + ".includes('public hello') && " + log + ".includes('private secret') && "
                    + log + ".includes('whisper tester')", 10), chromium.evaluate(log));
            chromium.screenshot(Path.of("target", "echo-demo.png"));
        }
    }
}
