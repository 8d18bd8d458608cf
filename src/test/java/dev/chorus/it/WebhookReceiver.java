package dev.chorus.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real HTTP endpoint receiving Pusher webhooks: checks the key header and the signature (computed
 * here independently), records every event, and can fail its first requests on purpose.
 */
final class WebhookReceiver implements AutoCloseable {
    private final HttpServer server;
    private final String key;
    private final String secret;
    private final AtomicInteger failuresLeft = new AtomicInteger();
    final List<JsonNode> events = new CopyOnWriteArrayList<>();
    final List<String> problems = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();

    WebhookReceiver(String key, String secret) throws IOException {
        this.key = key;
        this.secret = secret;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = 200;
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                status = 500;
            } else {
                try {
                    String text = new String(body, StandardCharsets.UTF_8);
                    if (!key.equals(exchange.getRequestHeaders().getFirst("X-Pusher-Key"))) {
                        problems.add("wrong key header");
                    }
                    if (!sign(text).equals(exchange.getRequestHeaders().getFirst("X-Pusher-Signature"))) {
                        problems.add("bad signature for " + text);
                    }
                    JsonNode root = Wire.JSON.readTree(text);
                    if (!root.path("time_ms").isNumber()) {
                        problems.add("no time_ms: " + text);
                    }
                    for (JsonNode event : root.path("events")) {
                        JsonNode copy = event.deepCopy();
                        ((com.fasterxml.jackson.databind.node.ObjectNode) copy).put("_path", exchange.getRequestURI().getPath());
                        events.add(copy);
                    }
                } catch (Exception e) {
                    problems.add(e.toString());
                }
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    void failNext(int count) {
        failuresLeft.set(count);
    }

    private String sign(String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Http.hex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** "name channel [user_id]" of every event received on this path, in arrival order. */
    List<String> lines(String path, boolean withCounts) {
        List<String> out = new ArrayList<>();
        for (JsonNode event : events) {
            if (!event.path("_path").asText().equals(path)) {
                continue;
            }
            String name = event.path("name").asText();
            if (!withCounts && name.equals("subscription_count")) {
                continue;
            }
            out.add(name + " " + event.path("channel").asText() + (event.has("user_id") ? " " + event.get("user_id").asText() : ""));
        }
        return out;
    }

    /** Waits until {@code count} events (counts excluded) arrived on the path. */
    List<String> await(String path, int count, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (lines(path, false).size() < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        return lines(path, false);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
