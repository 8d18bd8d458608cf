package dev.chorus.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pusher.rest.Pusher;
import com.pusher.rest.data.PresenceUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Opening raw sockets and signing with the real Pusher server SDK, for the protocol ITs. */
final class Wire {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ESTABLISHED = Pattern.compile(
            "\\{\"event\":\"pusher:connection_established\",\"data\":\"\\{\\\\\"socket_id\\\\\":\\\\\"(\\d+\\.\\d+)\\\\\","
                    + "\\\\\"activity_timeout\\\\\":(\\d+)\\}\"\\}");

    /** An open, established raw connection and its socket id. */
    record Client(RawWebSocket ws, String socketId) implements AutoCloseable {
        String next() throws IOException {
            return ws.nextText(5_000);
        }

        void send(String text) throws IOException {
            ws.sendText(text);
        }

        @Override
        public void close() {
            ws.close();
        }
    }

    private Wire() {
    }

    static Client open(int port, String key) throws IOException {
        return open(port, key, Map.of());
    }

    static Client open(int port, String key, Map<String, String> headers) throws IOException {
        RawWebSocket ws = RawWebSocket.connect(port, "/app/" + key + "?protocol=7&client=java&version=2.4.4", headers, 0);
        String established = ws.nextText(5_000);
        Matcher matcher = ESTABLISHED.matcher(established == null ? "" : established);
        if (!matcher.matches()) {
            ws.close();
            throw new AssertionError("expected connection_established, got " + established);
        }
        return new Client(ws, matcher.group(1));
    }

    static Pusher sdk(String id, String key, String secret) {
        return new Pusher(id, key, secret);
    }

    /** The {@code auth} value the official SDK signs for a private channel. */
    static String auth(Pusher sdk, String socketId, String channel) throws IOException {
        return JSON.readTree(sdk.authenticate(socketId, channel)).get("auth").asText();
    }

    /** {@code auth} and {@code channel_data} the official SDK signs for a presence channel. */
    static JsonNode presenceAuth(Pusher sdk, String socketId, String channel, String userId, Map<String, ?> info)
            throws IOException {
        return JSON.readTree(sdk.authenticate(socketId, channel, new PresenceUser(userId, info)));
    }

    /**
     * Opens a connection and sends a presence subscribe for {@code user}, signed here with the app
     * secret (the SDK signs nothing for apps it is not configured for); the reply is left unread.
     */
    static Client joinPresence(int port, String key, String secret, String channel, String user, String userInfoJson)
            throws IOException {
        Client client = open(port, key);
        String data = "{\"user_id\":\"" + user + "\"" + (userInfoJson == null ? "" : ",\"user_info\":" + userInfoJson) + "}";
        String auth = key + ":" + new dev.chorus.protocol.Signer(secret).sign(client.socketId() + ":" + channel + ":" + data);
        client.send(JSON.writeValueAsString(Map.of("event", "pusher:subscribe", "data",
                Map.of("channel", channel, "auth", auth, "channel_data", data))));
        return client;
    }

    static String subscribe(String channel) {
        return "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}";
    }

    static String subscribe(String channel, String auth) {
        return "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\"" + auth + "\"}}";
    }

    static String subscribePresence(JsonNode signed, String channel) throws IOException {
        return JSON.writeValueAsString(Map.of("event", "pusher:subscribe", "data", Map.of("channel", channel,
                "auth", signed.get("auth").asText(), "channel_data", signed.get("channel_data").asText())));
    }

    static String succeeded(String channel) {
        return "{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{}\",\"channel\":\"" + channel + "\"}";
    }

    static String error(int code, String message) {
        return "{\"event\":\"pusher:error\",\"data\":\"{\\\"code\\\":" + code + ",\\\"message\\\":\\\"" + message + "\\\"}\"}";
    }

    /** User sign-in signature, written independently of the server's signer. */
    static String userAuth(String key, String secret, String socketId, String userData) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] sig = mac.doFinal((socketId + "::user::" + userData).getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder();
        for (byte b : sig) {
            hex.append(String.format("%02x", b));
        }
        return key + ":" + hex;
    }
}
