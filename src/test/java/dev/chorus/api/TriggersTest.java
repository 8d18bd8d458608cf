package dev.chorus.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.app.Settings;
import dev.chorus.app.SettingsLoader;
import dev.chorus.app.StaticAppRegistry;
import dev.chorus.broadcast.BackendRate;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.HttpSignature;
import dev.chorus.protocol.Signer;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.LocalRelay;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The trigger service every entry calls (launcher, servlet filter, JAX-RS): what a plain signed trigger
 * publishes, and everything it leaves to JAX-RS to answer.
 */
class TriggersTest {
    private static final String PATH = "/apps/1/events";
    private final Settings settings = new SettingsLoader(Map.of(),
            Map.of("REVERB_APP_ID", "1", "REVERB_APP_KEY", "key", "REVERB_APP_SECRET", "secret")).load(null);
    private final Broadcasting broadcasting = Broadcasting.of(new LocalRelay("test"), ClusterState.NONE);
    private final Metrics metrics = new Metrics();

    private Triggers triggers(App app) {
        StaticAppRegistry apps = new StaticAppRegistry(List.of(app));
        return new Triggers(new SignedRequests(apps, settings), new BackendRate(ClusterState.NONE),
                broadcasting.broadcaster(), metrics);
    }

    /** A socket subscribed to {@code news}, recording what it is sent. */
    private RecordingTransport subscriber(App app) {
        RecordingTransport transport = new RecordingTransport();
        Connection connection = new Connection("1.1", app, transport, FrameLog.SILENT, () -> { });
        broadcasting.membership().subscribe(app, "news", connection, Connection.NOT_PRESENCE);
        return transport;
    }

    /** The query string pusher-http-java would send for this body. */
    private static String signedQuery(String method, String path, byte[] body) {
        Map<String, String> query = new TreeMap<>();
        query.put("auth_key", "key");
        query.put("auth_timestamp", String.valueOf(System.currentTimeMillis() / 1000));
        query.put("auth_version", "1.0");
        query.put("body_md5", HttpSignature.md5Hex(body));
        query.put("auth_signature", new Signer("secret").sign(HttpSignature.stringToSign(method, path, query, body)));
        StringBuilder raw = new StringBuilder();
        query.forEach((name, value) -> raw.append(raw.length() == 0 ? "" : "&").append(name).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return raw.toString();
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aPlainSignedTriggerIsPublishedOnceAndCountedAsAnswered() {
        App app = TestApps.app().build();
        RecordingTransport socket = subscriber(app);
        byte[] body = json("{\"name\":\"update\",\"channel\":\"news\",\"data\":\"{\\\"n\\\":1}\"}");

        assertTrue(triggers(app).publishPlain(PATH, signedQuery("POST", PATH, body), body));
        assertEquals(List.of(Frames.event("update", "news", "{\"n\":1}")), socket.frames());
        assertTrue(metrics.scrape().contains("route=\"apps/{appId}/events\",status=\"200\""), metrics.scrape());
    }

    @Test
    void whatJaxRsMustAnswerIsLeftUnpublished() {
        App app = TestApps.app().build();
        RecordingTransport socket = subscriber(app);
        Triggers triggers = triggers(app);
        byte[] body = json("{\"name\":\"update\",\"channel\":\"news\",\"data\":\"x\"}");
        byte[] withInfo = json("{\"name\":\"update\",\"channel\":\"news\",\"data\":\"x\",\"info\":\"subscription_count\"}");
        byte[] invalid = json("{\"name\":\"update\",\"channel\":\"news\"}");

        assertFalse(triggers.publishPlain(PATH, signedQuery("POST", PATH, body).replace("auth_signature=", "auth_signature=0"), body),
                "a bad signature");
        assertFalse(triggers.publishPlain(PATH, null, body), "no signature");
        assertFalse(triggers.publishPlain(PATH, signedQuery("POST", PATH, withInfo), withInfo), "info asked for");
        assertFalse(triggers.publishPlain(PATH, signedQuery("POST", PATH, invalid), invalid), "no data");
        assertFalse(triggers.publishPlain("/apps/1/batch_events", signedQuery("POST", "/apps/1/batch_events", body), body),
                "not a trigger path");
        assertFalse(triggers.publishPlain(PATH, "auth_key=%zz", body), "malformed percent-encoding");
        assertEquals(List.of(), socket.frames());
    }

    @Test
    void overTheBackendEventRateTheTriggerIsRefusedWithTheSettingNamed() {
        App app = TestApps.app().limits(new App.Limits(100, 0, 1, 100, 10, 1_000, 1_024, 2, -1)).build();
        RecordingTransport socket = subscriber(app);
        Triggers triggers = triggers(app);
        byte[] twoChannels = json("{\"name\":\"e\",\"channels\":[\"news\",\"other\"],\"data\":\"x\"}");

        triggers.trigger(app, twoChannels);
        ApiException refused = assertThrows(ApiException.class, () -> triggers.trigger(app, twoChannels));
        assertEquals(429, refused.status());
        assertTrue(refused.getMessage().contains("max_backend_events_per_second"), refused.getMessage());
        assertEquals(1, socket.frames().size(), "only the first was published");
    }

    @Test
    void aBatchWithOneBadEventPublishesNothingAndNamesTheEvent() {
        App app = TestApps.app().build();
        RecordingTransport socket = subscriber(app);
        byte[] batch = json("{\"batch\":[{\"name\":\"a\",\"channel\":\"news\",\"data\":\"1\"},"
                + "{\"name\":\"b\",\"channel\":\"bad name\",\"data\":\"2\"}]}");

        ApiException refused = assertThrows(ApiException.class, () -> triggers(app).batch(app, batch));
        assertEquals(400, refused.status());
        assertTrue(refused.getMessage().startsWith("batch[1]: "), refused.getMessage());
        assertEquals(List.of(), socket.frames());
    }

    @Test
    void aValidBatchIsPublishedInOrder() {
        App app = TestApps.app().build();
        RecordingTransport socket = subscriber(app);
        byte[] batch = json("{\"batch\":[{\"name\":\"a\",\"channel\":\"news\",\"data\":\"1\"},"
                + "{\"name\":\"b\",\"channel\":\"news\",\"data\":\"2\"}]}");

        assertEquals(2, triggers(app).batch(app, batch).size());
        assertEquals(List.of(Frames.event("a", "news", "1"), Frames.event("b", "news", "2")), socket.frames());
    }
}
