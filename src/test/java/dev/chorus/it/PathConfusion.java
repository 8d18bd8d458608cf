package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every HTTP API route, unsigned, under every odd spelling of each of its path segments (path
 * parameters, encoded slashes and dots in both cases, backslashes, empty and dot segments, percent-
 * encoded letters), with and without the route prefix: each must be answered 4xx and change nothing.
 * Run against the launcher and against the WAR in every container, so the check that matters is the
 * one in the web app, whatever sits in front of it.
 */
final class PathConfusion {
    private static final String CHANNEL = "private-payments";
    private static final String USER = "u1";
    private static final Pattern SOCKET_ID = Pattern.compile("socket_id\\\\\":\\\\\"(\\d+\\.\\d+)");

    private PathConfusion() {
    }

    /** One API route: method, path segments after the app id, body. */
    private record Route(String method, List<String> tail, String body) {
    }

    private static List<Route> routes() {
        String event = "{\"name\":\"attack\",\"channels\":[\"" + CHANNEL + "\",\"#server-to-user-" + USER + "\"],\"data\":\"{}\"}";
        return List.of(
                new Route("POST", List.of("events"), event),
                new Route("POST", List.of("batch_events"), "{\"batch\":[{\"name\":\"attack\",\"channel\":\"" + CHANNEL + "\",\"data\":\"{}\"}]}"),
                new Route("GET", List.of("channels"), null),
                new Route("GET", List.of("channels", CHANNEL), null),
                new Route("GET", List.of("channels", "presence-room", "users"), null),
                new Route("GET", List.of("connections"), null),
                new Route("POST", List.of("users", USER, "terminate_connections"), "{}"));
    }

    /** Each way of spelling segment {@code i} of {@code segments} (joined with '/') differently. */
    static Set<String> spellings(List<String> segments) {
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < segments.size(); i++) {
            String seg = segments.get(i);
            List<String> variants = new ArrayList<>(List.of(seg + ";x", ";x" + seg, seg + ";",
                    "%2E/" + seg, "%2e/" + seg, "./" + seg, "x/../" + seg, "/" + seg, seg + "%5C", seg + "\\",
                    "%2E%2E/" + seg, upperEncoded(seg), lowerEncodedFirst(seg)));
            if (i + 1 < segments.size()) {
                variants.add(seg + "%2F" + segments.get(i + 1));
                variants.add(seg + "%2f" + segments.get(i + 1));
            }
            for (String variant : variants) {
                List<String> copy = new ArrayList<>(segments);
                copy.set(i, variant);
                if (variant.contains("%2F" + (i + 1 < segments.size() ? segments.get(i + 1) : "\0"))
                        || variant.contains("%2f" + (i + 1 < segments.size() ? segments.get(i + 1) : "\0"))) {
                    copy.remove(i + 1);
                }
                out.add("/" + String.join("/", copy));
            }
        }
        out.add("//" + String.join("/", segments));
        out.add("/" + String.join("/", segments) + "/.");
        return out;
    }

    private static String upperEncoded(String segment) {
        StringBuilder out = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            out.append('%').append(String.format("%02X", b));
        }
        return out.toString();
    }

    private static String lowerEncodedFirst(String segment) {
        return String.format("%%%02x", segment.getBytes(StandardCharsets.UTF_8)[0]) + segment.substring(1);
    }

    /**
     * Sends every route × spelling unsigned and asserts 4xx for each, then that a private-channel
     * subscriber and a signed-in user saw nothing and are still connected: a signed trigger reaches
     * both as the very next event.
     *
     * @param prefix the server's route prefix, "" for none
     * @return how many requests were refused
     */
    static int assertRefusedEverywhere(int port, String prefix, String appId, String key, String secret) throws Exception {
        return assertRefusedEverywhere(port, prefix, appId, key, secret, false);
    }

    /**
     * @param container the WAR in a servlet container: a container that fails on a path before the web
     *                  app sees it (Payara's Grizzly throws normalising {@code .../x/.} and answers an
     *                  empty 200) is not Chorus serving it; Chorus's own 2xx always carry a JSON body.
     *                  The side-effect check below still applies in full.
     */
    static int assertRefusedEverywhere(int port, String prefix, String appId, String key, String secret, boolean container)
            throws Exception {
        try (RawWebSocket subscriber = connect(port, prefix, key); RawWebSocket user = connect(port, prefix, key)) {
            String subscriberId = socketId(subscriber);
            subscriber.sendText("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + CHANNEL + "\",\"auth\":\""
                    + key + ":" + hmac(secret, subscriberId + ":" + CHANNEL) + "\"}}");
            assertTrue(subscriber.nextText(5_000).contains("subscription_succeeded"));
            String userId = socketId(user);
            String userData = "{\"id\":\"" + USER + "\"}";
            user.sendText("{\"event\":\"pusher:signin\",\"data\":{\"auth\":\"" + key + ":" + hmac(secret, userId + "::user::" + userData)
                    + "\",\"user_data\":\"" + userData.replace("\"", "\\\"") + "\"}}");
            assertTrue(user.nextText(5_000).contains("signin_success"));

            List<String> served = new ArrayList<>();
            int refused = 0;
            List<String> prefixes = prefix.isEmpty() ? List.of("") : List.of("", prefix);
            for (String routePrefix : prefixes) {
                for (Route route : routes()) {
                    List<String> segments = new ArrayList<>();
                    if (!routePrefix.isEmpty()) {
                        segments.add(routePrefix.substring(1));
                    }
                    segments.add("apps");
                    segments.add(appId);
                    segments.addAll(route.tail());
                    for (String path : spellings(segments)) {
                        String[] answer = exchange(port, route.method(), path + "?auth_key=" + key, route.body());
                        int status = Integer.parseInt(answer[0]);
                        boolean notChorus = container && !answer[1].contains("{");
                        if ((status >= 400 && status < 500) || notChorus) {
                            refused++;
                        } else {
                            served.add(route.method() + " " + path + " -> " + status);
                        }
                    }
                }
            }
            assertEquals(List.of(), served, "every odd spelling is refused with a 4xx");

            // Nothing happened: the next event each client sees is a legitimate, signed one.
            String body = "{\"name\":\"legit\",\"channels\":[\"" + CHANNEL + "\",\"#server-to-user-" + USER + "\"],\"data\":\"{}\"}";
            Http.Reply reply = Http.send(port, "POST", prefix + "/apps/" + appId + "/events", "/apps/" + appId + "/events", body,
                    key, secret, System.currentTimeMillis() / 1000, Map.of(), body);
            assertEquals(200, reply.status(), reply.body());
            assertEquals("legit", eventName(subscriber.nextText(5_000)));
            String toUser = user.nextText(5_000);
            assertEquals("legit", eventName(toUser), "the signed-in user was not terminated and got no forged event");
            return refused;
        }
    }

    private static String eventName(String frame) throws IOException {
        return frame == null ? null : Wire.JSON.readTree(frame).path("event").asText();
    }

    private static RawWebSocket connect(int port, String prefix, String key) throws IOException {
        return RawWebSocket.connect(port, prefix + "/app/" + key + "?protocol=7&client=java&version=2.4.4", Map.of(), 0);
    }

    private static String socketId(RawWebSocket ws) throws IOException {
        String established = ws.nextText(5_000);
        Matcher matcher = SOCKET_ID.matcher(established == null ? "" : established);
        assertTrue(matcher.find(), "connection_established: " + established);
        return matcher.group(1);
    }

    static String hmac(String secret, String message) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Http.hex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    }

    /** The status and body of one raw request: exactly these bytes, no client-side normalisation. */
    static String[] exchange(int port, String method, String target, String body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n") + "\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(content);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String answer = all.toString(StandardCharsets.ISO_8859_1);
            String[] parts = answer.lines().findFirst().orElse("").split(" ");
            if (parts.length < 2) {
                throw new IOException("no HTTP answer to " + method + " " + target + ": '" + answer + "'");
            }
            int bodyStart = answer.indexOf("\r\n\r\n");
            return new String[] {parts[1], bodyStart < 0 ? "" : answer.substring(bodyStart + 4)};
        }
    }
}
