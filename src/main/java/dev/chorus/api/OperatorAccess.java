package dev.chorus.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may read the operator views ({@code /metrics}, {@code /dashboard} and everything under it).
 * With {@code server.metrics_token} set: whoever presents it, from any address. Without one: only a
 * caller on this machine, judged by the socket's peer address and never by a header a client can write,
 * so a node bound to 0.0.0.0 shows nothing to the internet until its operator picks a token.
 */
public final class OperatorAccess {
    /** Names the dashboard's session cookie; its value is derived from the token, never the token itself. */
    public static final String COOKIE = "chorus_dashboard";

    public enum Verdict {
        ALLOWED,
        /** A token is set and the caller did not present it: 401. */
        NEEDS_TOKEN,
        /** No token is set and the caller is not on this machine: 403. */
        LOOPBACK_ONLY
    }

    /**
     * What a request brings.
     *
     * @param remoteAddress the socket's peer address ({@code getRemoteAddr()}), an IP literal
     * @param relayed       the request carries a proxy's forwarding header: a proxy on this machine would
     *                      otherwise make every internet client look local
     * @param token         a presented token ({@code Authorization: Bearer}, or {@code ?token=} where the
     *                      route takes one), or null
     * @param cookie        the dashboard cookie's value, or null
     */
    public record Caller(String remoteAddress, boolean relayed, String token, String cookie) {
    }

    /** IPv4 and IPv6 literals only: anything else would cost a DNS lookup and proves nothing. */
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.\\-]+)?");

    private final byte[] tokenDigest;
    private final String cookieValue;

    /** @param token {@code server.metrics_token}, or null/blank when unset */
    public OperatorAccess(String token) {
        boolean set = token != null && !token.isBlank();
        this.tokenDigest = set ? sha256(token) : null;
        this.cookieValue = set ? hmac(token, "chorus dashboard session") : null;
    }

    public boolean tokenSet() {
        return tokenDigest != null;
    }

    public Verdict decide(Caller caller) {
        if (tokenSet()) {
            boolean presented = caller.token() != null && MessageDigest.isEqual(tokenDigest, sha256(caller.token()));
            boolean cookie = caller.cookie() != null && MessageDigest.isEqual(sha256(cookieValue), sha256(caller.cookie()));
            return presented || cookie ? Verdict.ALLOWED : Verdict.NEEDS_TOKEN;
        }
        return !caller.relayed() && loopback(caller.remoteAddress()) ? Verdict.ALLOWED : Verdict.LOOPBACK_ONLY;
    }

    /**
     * The dashboard cookie's value: an HMAC of a fixed text under the token, so the cookie opens the
     * dashboard but is not the token (it does not open {@code /metrics}, which takes only the header).
     * Null without a token.
     */
    public String cookieValue() {
        return cookieValue;
    }

    /** The answer's {@code error} text for a refusal; it names the setting, never its value. */
    public static String refusal(Verdict verdict, String what) {
        return switch (verdict) {
            case NEEDS_TOKEN -> what + " needs Authorization: Bearer <server.metrics_token> (CHORUS_METRICS_TOKEN)";
            case LOOPBACK_ONLY -> what + " answers only clients on this machine while server.metrics_token"
                    + " (CHORUS_METRICS_TOKEN) is unset; set it and send Authorization: Bearer <token>";
            case ALLOWED -> throw new IllegalArgumentException("not a refusal");
        };
    }

    /** The token of an {@code Authorization: Bearer <token>} header, or null. */
    public static String bearer(String authorization) {
        if (authorization == null || authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).strip();
        return token.isEmpty() ? null : token;
    }

    /** 127.0.0.0/8, ::1 and IPv4-mapped 127.x; host names (a container with lookups on) are not trusted. */
    static boolean loopback(String address) {
        if (address == null) {
            return false;
        }
        String literal = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        if (literal.isEmpty() || !IP_LITERAL.matcher(literal).matches()) {
            return false;
        }
        try {
            // A literal: parsed, not resolved.
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String hmac(String key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
