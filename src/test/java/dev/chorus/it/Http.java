package dev.chorus.it;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Raw HTTP API requests, signed here independently of the server's code, so each field can be broken. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Http() {
    }

    record Reply(int status, String body, HttpResponse<String> response) {
    }

    /** Signs {@code signedPath} (as an SDK would) and sends to {@code sentPath} with the given fields. */
    static Reply send(int port, String method, String sentPath, String signedPath, String body, String key, String secret,
                      long timestamp, Map<String, String> extraQuery, String signedBody) throws Exception {
        return raw(method, URI.create("http://127.0.0.1:" + port + signedTarget(method, sentPath, signedPath, key, secret,
                timestamp, extraQuery, signedBody)), body);
    }

    /** Path and query, with the signature an SDK computes over {@code signedPath} and {@code signedBody}. */
    static String signedTarget(String method, String sentPath, String signedPath, String key, String secret,
                               long timestamp, Map<String, String> extraQuery, String signedBody) throws Exception {
        TreeMap<String, String> params = new TreeMap<>(extraQuery);
        params.put("auth_key", key);
        params.put("auth_timestamp", String.valueOf(timestamp));
        params.put("auth_version", "1.0");
        if (signedBody != null && !signedBody.isEmpty()) {
            params.put("body_md5", hex(MessageDigest.getInstance("MD5").digest(signedBody.getBytes(StandardCharsets.UTF_8))));
        }
        StringBuilder toSign = new StringBuilder(method).append('\n').append(signedPath).append('\n');
        StringBuilder query = new StringBuilder();
        boolean first = true;
        for (Map.Entry<String, String> entry : params.entrySet()) {
            if (!first) {
                toSign.append('&');
                query.append('&');
            }
            first = false;
            toSign.append(entry.getKey()).append('=').append(entry.getValue());
            query.append(entry.getKey()).append('=').append(URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8));
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = hex(mac.doFinal(toSign.toString().getBytes(StandardCharsets.UTF_8)));
        return sentPath + "?" + query + "&auth_signature=" + signature;
    }

    static Reply signed(int port, String method, String path, String body) throws Exception {
        return send(port, method, path, path, body, TestServer.KEY, TestServer.SECRET, System.currentTimeMillis() / 1000,
                Map.of(), body);
    }

    static Reply signed(int port, String method, String path, Map<String, String> query) throws Exception {
        return send(port, method, path, path, null, TestServer.KEY, TestServer.SECRET, System.currentTimeMillis() / 1000,
                query, null);
    }

    static Reply raw(String method, URI uri, String body) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).header("Content-Type", "application/json");
        builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body(), response);
    }

    static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(String.format("%02x", b));
        }
        return out.toString();
    }
}
