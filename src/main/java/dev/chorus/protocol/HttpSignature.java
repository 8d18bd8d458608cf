package dev.chorus.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Pusher HTTP API request signature: {@code hex(HMAC-SHA256(secret, METHOD\npath\nsorted query))}
 * where the query holds every parameter but {@code auth_signature}, values URL-decoded, keys sorted by
 * byte order, and {@code body_md5} recomputed from the body (never the client's) when there is one.
 */
public final class HttpSignature {
    public static final String AUTH_KEY = "auth_key";
    public static final String AUTH_TIMESTAMP = "auth_timestamp";
    public static final String AUTH_VERSION = "auth_version";
    public static final String AUTH_SIGNATURE = "auth_signature";
    public static final String BODY_MD5 = "body_md5";

    private HttpSignature() {
    }

    /** @param query decoded query parameters (first value of each) */
    public static String stringToSign(String method, String path, Map<String, String> query, byte[] body) {
        TreeMap<String, String> params = new TreeMap<>(query);
        params.remove(AUTH_SIGNATURE);
        params.remove(BODY_MD5);
        if (body != null && body.length > 0) {
            params.put(BODY_MD5, md5Hex(body));
        }
        StringBuilder out = new StringBuilder(method).append('\n').append(path).append('\n');
        boolean first = true;
        for (Map.Entry<String, String> entry : params.entrySet()) {
            if (!first) {
                out.append('&');
            }
            first = false;
            out.append(entry.getKey()).append('=').append(entry.getValue());
        }
        return out.toString();
    }

    public static String md5Hex(byte[] body) {
        try {
            return Signer.hex(MessageDigest.getInstance("MD5").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }

    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
