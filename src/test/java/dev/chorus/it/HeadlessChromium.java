package dev.chorus.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's Chromium, headless, driven over the DevTools protocol from Java: navigate, then evaluate
 * JavaScript in the page as it runs (a live WebSocket page never "finishes loading", so --dump-dom
 * cannot wait for it).
 */
final class HeadlessChromium implements AutoCloseable {
    private final Process process;
    private final WebSocket devtools;
    private final Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    private HeadlessChromium(Process process, WebSocket devtools) {
        this.process = process;
        this.devtools = devtools;
    }

    static HeadlessChromium start() throws Exception {
        Process install = new ProcessBuilder("bash", "scripts/ensure-chromium.sh").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String binary = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!install.waitFor(900, TimeUnit.SECONDS) || install.exitValue() != 0) {
            throw new IllegalStateException("ensure-chromium.sh failed: " + binary);
        }
        Path profile = Files.createTempDirectory("chorus-chromium-");
        Process process = new ProcessBuilder(binary, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--remote-debugging-port=0", "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.currentTimeMillis() + 30_000;
        while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
            if (System.currentTimeMillis() > deadline || !process.isAlive()) {
                process.destroyForcibly();
                throw new IllegalStateException("chromium did not open DevTools: " + Files.readString(profile.resolve("chromium.log")));
            }
            Thread.sleep(50);
        }
        int port = Integer.parseInt(Files.readAllLines(portFile).get(0).strip());
        HttpClient http = HttpClient.newHttpClient();
        JsonNode targets = Wire.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        String page = null;
        for (JsonNode target : targets) {
            if (target.path("type").asText().equals("page")) {
                page = target.get("webSocketDebuggerUrl").asText();
            }
        }
        HeadlessChromium[] self = new HeadlessChromium[1];
        StringBuilder partial = new StringBuilder();
        WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(page), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    try {
                        JsonNode message = Wire.JSON.readTree(partial.toString());
                        CompletableFuture<JsonNode> reply = message.has("id") ? self[0].replies.remove(message.get("id").asInt()) : null;
                        if (reply != null) {
                            reply.complete(message);
                        }
                    } catch (Exception ignored) {
                        // events we do not wait for
                    }
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        self[0] = new HeadlessChromium(process, socket);
        return self[0];
    }

    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        replies.put(id, reply);
        devtools.sendText(Wire.JSON.writeValueAsString(Map.of("id", id, "method", method, "params", params)), true).join();
        return reply.get(30, TimeUnit.SECONDS);
    }

    void navigate(String url) throws Exception {
        call("Page.navigate", Map.of("url", url));
    }

    /** The value of a JavaScript expression in the page (strings, numbers, booleans). */
    String evaluate(String expression) throws Exception {
        JsonNode reply = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        return reply.path("result").path("result").path("value").asText();
    }

    /** Polls the expression until it returns true or the time is up. */
    boolean waitFor(String expression, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            if ("true".equals(evaluate(expression))) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    void screenshot(Path file) throws Exception {
        JsonNode reply = call("Page.captureScreenshot", Map.of("format", "png"));
        Files.write(file, java.util.Base64.getDecoder().decode(reply.path("result").path("data").asText()));
    }

    @Override
    public void close() throws Exception {
        devtools.abort();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    static List<String> lines(String text) {
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }
}
