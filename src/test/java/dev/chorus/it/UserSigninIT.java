package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pusher-js user sign-in (issue 14 §1) and presence member size (§4) against the real launcher, frame
 * by frame: after {@code signin_success} pusher-js subscribes to {@code #server-to-user-<its id>} with
 * {@code {"auth":"","channel":...}} and {@code sendToUser} posts an event to that channel.
 */
class UserSigninIT {
    static int port;

    @BeforeAll
    static void server() throws IOException {
        port = TestServer.shared().port;
    }

    /**
     * A barrier instead of a read that times out: a later sendToUser must be the next frame. The trigger
     * returns once delivered to this node's sockets, so a duplicate of an earlier one would come first.
     */
    private static void assertNextIsSentinel(Wire.Client client, String userId, String message) throws Exception {
        sendToUser(userId, "sentinel", "s");
        assertEquals(userEvent(userId, "sentinel", "s"), client.next(), message);
    }

    /**
     * For a socket that should hear nothing of an event already delivered (the trigger has returned): its own
     * ping is answered after anything sent to it before, so the pong must be its next frame.
     */
    private static void assertNextIsPong(Wire.Client client, String message) throws Exception {
        client.send("{\"event\":\"pusher:ping\",\"data\":{}}");
        assertEquals("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", client.next(), message);
    }

    private static String signin(Wire.Client client, String userData) throws Exception {
        return Wire.JSON.writeValueAsString(Map.of("event", "pusher:signin", "data", Map.of(
                "auth", Wire.userAuth(TestServer.KEY, TestServer.SECRET, client.socketId(), userData),
                "user_data", userData)));
    }

    private static String signinSuccess(String userData) throws IOException {
        String data = Wire.JSON.writeValueAsString(Map.of("user_data", userData));
        // Spelled out: Map.of's iteration order changes from one JVM to the next, the server's field order does not.
        return "{\"event\":\"pusher:signin_success\",\"data\":" + Wire.JSON.writeValueAsString(data) + "}";
    }

    /** What pusher-js 8 sends for its user channel: {@code Channel.authorize} yields {@code {auth: ''}}. */
    private static String pusherJsSubscribe(String channel) {
        return "{\"event\":\"pusher:subscribe\",\"data\":{\"auth\":\"\",\"channel\":\"" + channel + "\"}}";
    }

    private static String reserved(String channel) {
        return "{\"event\":\"pusher:subscription_error\",\"channel\":\"" + channel + "\",\"data\":"
                + "{\"type\":\"AuthError\",\"error\":\"Channel is reserved for signed-in users\",\"status\":403}}";
    }

    /** The Node SDK's {@code sendToUser(id, event, data)}: a signed {@code POST /events} to the user's channel. */
    private static void sendToUser(String userId, String event, String data) throws Exception {
        String body = Wire.JSON.writeValueAsString(Map.of("name", event, "channel", "#server-to-user-" + userId, "data", data));
        assertEquals(200, Http.signed(port, "POST", "/apps/" + TestServer.ID + "/events", body).status());
    }

    private static String userEvent(String userId, String event, String data) throws IOException {
        return "{\"event\":\"" + event + "\",\"data\":" + Wire.JSON.writeValueAsString(data)
                + ",\"channel\":\"#server-to-user-" + userId + "\"}";
    }

    @Test
    void pusherJsSignsInSubscribesToItsUserChannelAndGetsSendToUserOnce() throws Exception {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            String userData = "{\"id\":\"signin-ann\",\"user_info\":{\"name\":\"Ann\"}}";
            client.send(signin(client, userData));
            assertEquals(signinSuccess(userData), client.next());
            client.send(pusherJsSubscribe("#server-to-user-signin-ann"));
            assertEquals(Wire.succeeded("#server-to-user-signin-ann"), client.next());

            sendToUser("signin-ann", "greeting", "{\"hello\":\"Ann\"}");
            assertEquals(userEvent("signin-ann", "greeting", "{\"hello\":\"Ann\"}"), client.next());
            assertNextIsSentinel(client, "signin-ann", "one delivery");

            // pusher-js re-sends the subscribe after a reconnect of the channel object: still one delivery.
            client.send(Wire.subscribe("#server-to-user-signin-ann"));
            assertEquals(Wire.succeeded("#server-to-user-signin-ann"), client.next());
            sendToUser("signin-ann", "again", "2");
            assertEquals(userEvent("signin-ann", "again", "2"), client.next());
            assertNextIsSentinel(client, "signin-ann", "still one delivery after the second subscribe");
        }
    }

    @Test
    void aSubscribeSentBeforeSigninSuccessArrivesIsConfirmedAfterIt() throws Exception {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            String userData = "{\"id\":\"signin-early\"}";
            client.send(signin(client, userData));
            client.send(pusherJsSubscribe("#server-to-user-signin-early"));
            assertEquals(signinSuccess(userData), client.next());
            assertEquals(Wire.succeeded("#server-to-user-signin-early"), client.next());
            sendToUser("signin-early", "dm", "x");
            assertEquals(userEvent("signin-early", "dm", "x"), client.next());
        }
    }

    @Test
    void aSocketThatIsNotSignedInIsRefusedAndHearsNothing() throws Exception {
        try (Wire.Client owner = Wire.open(port, TestServer.KEY); Wire.Client stranger = Wire.open(port, TestServer.KEY)) {
            String userData = "{\"id\":\"signin-bea\"}";
            owner.send(signin(owner, userData));
            assertEquals(signinSuccess(userData), owner.next());

            stranger.send(pusherJsSubscribe("#server-to-user-signin-bea"));
            assertEquals(reserved("#server-to-user-signin-bea"), stranger.next());
            assertEquals(Wire.error(4009, "Connection is unauthorized"), stranger.next());
            stranger.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            assertEquals("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", stranger.next(), "the socket stays open");

            sendToUser("signin-bea", "secret", "s");
            assertEquals(userEvent("signin-bea", "secret", "s"), owner.next());
            assertNextIsPong(stranger, "the stranger hears nothing");
        }
    }

    @Test
    void aSocketSignedInAsAnotherIdIsRefusedAndHearsNothing() throws Exception {
        try (Wire.Client owner = Wire.open(port, TestServer.KEY); Wire.Client other = Wire.open(port, TestServer.KEY)) {
            owner.send(signin(owner, "{\"id\":\"signin-cal\"}"));
            owner.next();
            String otherData = "{\"id\":\"signin-dee\"}";
            other.send(signin(other, otherData));
            assertEquals(signinSuccess(otherData), other.next());

            other.send(pusherJsSubscribe("#server-to-user-signin-cal"));
            assertEquals(reserved("#server-to-user-signin-cal"), other.next());
            assertEquals(Wire.error(4009, "Connection is unauthorized"), other.next());

            sendToUser("signin-cal", "private", "p");
            assertEquals(userEvent("signin-cal", "private", "p"), owner.next());
            assertNextIsPong(other, "the other user hears nothing");
        }
    }

    private static String presenceSubscribe(Wire.Client client, String channel, String channelData) throws IOException {
        String auth = TestServer.KEY + ":" + new dev.chorus.protocol.Signer(TestServer.SECRET)
                .sign(client.socketId() + ":" + channel + ":" + channelData);
        return Wire.JSON.writeValueAsString(Map.of("event", "pusher:subscribe", "data",
                Map.of("channel", channel, "auth", auth, "channel_data", channelData)));
    }

    @Test
    void aPresenceUserIdOver128CharactersGetsLimitReachedAndTheSocketStaysOpen() throws Exception {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            client.send(presenceSubscribe(client, "presence-signin-size", "{\"user_id\":\"" + "u".repeat(129) + "\"}"));
            assertEquals("{\"event\":\"pusher:subscription_error\",\"channel\":\"presence-signin-size\",\"data\":"
                    + "{\"type\":\"LimitReached\",\"error\":\"presence user_id is over 128 characters\",\"status\":400}}",
                    client.next());
            client.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            assertEquals("{\"event\":\"pusher:pong\",\"data\":\"{}\"}", client.next(), "the socket stays open");
        }
    }

    @Test
    void aPresenceUserInfoOverOneKilobyteGetsLimitReachedNamingTheSetting() throws Exception {
        try (Wire.Client client = Wire.open(port, TestServer.KEY)) {
            // {"n":"…"} is 8 bytes around the text: 1017 characters make 1025 bytes.
            String info = "{\"n\":\"" + "x".repeat(1017) + "\"}";
            client.send(presenceSubscribe(client, "presence-signin-info", "{\"user_id\":\"7\",\"user_info\":" + info + "}"));
            assertEquals("{\"event\":\"pusher:subscription_error\",\"channel\":\"presence-signin-info\",\"data\":"
                    + "{\"type\":\"LimitReached\",\"error\":\"presence user_info is over 1024 bytes (max_presence_user_info_size)\","
                    + "\"status\":400}}", client.next());
            String fits = "{\"n\":\"" + "x".repeat(1016) + "\"}";
            client.send(presenceSubscribe(client, "presence-signin-info", "{\"user_id\":\"7\",\"user_info\":" + fits + "}"));
            com.fasterxml.jackson.databind.JsonNode succeeded = Wire.JSON.readTree(client.next());
            assertEquals("pusher_internal:subscription_succeeded", succeeded.get("event").asText(), "1024 bytes fit");
            assertEquals(Wire.JSON.readTree(fits),
                    Wire.JSON.readTree(succeeded.get("data").asText()).get("presence").get("hash").get("7"));
        }
    }

    /** The next milestone line of {@code user-signin.js}; pusher-js's own log lines, if any, are skipped. */
    private static String milestone(BufferedReader out) throws IOException {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("SUBSCRIBED") || line.startsWith("GOT ") || line.startsWith("ERROR ")
                    || line.startsWith("TIMEOUT")) {
                return line;
            }
        }
        return null;
    }

    @Test
    void realPusherJsSignsInAndItsUserBindReceivesSendToUserOnce() throws Exception {
        Path modules = Path.of("src/main/js/node_modules").toAbsolutePath();
        Assumptions.assumeTrue(Files.isDirectory(modules.resolve("pusher-js")), "the build's npm ci installs pusher-js");
        ProcessBuilder builder = new ProcessBuilder("node", Path.of("src/test/js/user-signin.js").toAbsolutePath().toString(),
                String.valueOf(port), TestServer.KEY, TestServer.SECRET, "js-ann").redirectErrorStream(true);
        builder.environment().put("NODE_PATH", modules.toString());
        Process node;
        try {
            node = builder.start();
        } catch (IOException e) {
            Assumptions.abort("node is not installed");
            return;
        }
        try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            // The script gives up after 20 s with TIMEOUT, so these reads cannot hang.
            assertEquals("SUBSCRIBED", milestone(out), "pusher-js's own #server-to-user- subscribe is confirmed");
            sendToUser("js-ann", "greeting", "{\"hello\":\"js\"}");
            assertEquals("GOT {\"hello\":\"js\"} subscribed=true", milestone(out));
            OutputStream in = node.getOutputStream();
            in.write("quit\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            List<String> rest = new ArrayList<>();
            for (String line = milestone(out); line != null; line = milestone(out)) {
                rest.add(line);
            }
            assertTrue(rest.isEmpty(), "delivered once, no errors: " + rest);
            assertTrue(node.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, node.exitValue());
        } finally {
            node.destroyForcibly();
        }
    }
}
