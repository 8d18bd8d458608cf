package dev.chorus.protocol;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * All of Pusher's HMACs. Thread-safe: each thread keeps its own keyed {@link Mac} per secret, since
 * looking one up and keying it costs more than signing a subscribe or a trigger. Only JDK types sit
 * in the thread-local (a plain {@code ThreadLocal}, no lambda), so container threads that outlive a
 * redeployed WAR hold nothing of its class loader.
 */
public final class Signer {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final ThreadLocal<HashMap<String, Mac>> MACS = new ThreadLocal<>();

    private final String secret;

    public Signer(String secret) {
        this.secret = secret;
    }

    public String sign(String message) {
        return hex(mac().doFinal(message.getBytes(StandardCharsets.UTF_8)));
    }

    private Mac mac() {
        HashMap<String, Mac> macs = MACS.get();
        if (macs == null) {
            macs = new HashMap<>();
            MACS.set(macs);
        }
        Mac mac = macs.get(secret);
        if (mac == null) {
            try {
                mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
            macs.put(secret, mac);
        }
        return mac; // doFinal resets it for the next use
    }

    /** Constant-time: the comparison must not tell an attacker how many leading characters were right. */
    public boolean verify(String message, String providedHex) {
        if (providedHex == null) {
            return false;
        }
        return MessageDigest.isEqual(sign(message).getBytes(StandardCharsets.US_ASCII),
                providedHex.getBytes(StandardCharsets.US_ASCII));
    }

    /** Channel auth: {@code key:hex(HMAC(secret, socket_id:channel[:channel_data]))}. */
    public String channelAuth(String key, String socketId, String channel, String channelData) {
        return key + ":" + sign(channelAuthMessage(socketId, channel, channelData));
    }

    public boolean verifyChannelAuth(String key, String socketId, String channel, String channelData, String auth) {
        return verifyKeyed(key, channelAuthMessage(socketId, channel, channelData), auth);
    }

    /** User authentication: {@code key:hex(HMAC(secret, socket_id::user::user_data))}. */
    public String userAuth(String key, String socketId, String userData) {
        return key + ":" + sign(userAuthMessage(socketId, userData));
    }

    public boolean verifyUserAuth(String key, String socketId, String userData, String auth) {
        return verifyKeyed(key, userAuthMessage(socketId, userData), auth);
    }

    private boolean verifyKeyed(String key, String message, String auth) {
        if (auth == null) {
            return false;
        }
        int colon = auth.indexOf(':');
        // Reverb ignores the key part; a signature for another app's key must not pass here.
        if (colon < 0 || !MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8),
                auth.substring(0, colon).getBytes(StandardCharsets.UTF_8))) {
            return false;
        }
        return verify(message, auth.substring(colon + 1));
    }

    private static String channelAuthMessage(String socketId, String channel, String channelData) {
        return channelData == null ? socketId + ":" + channel : socketId + ":" + channel + ":" + channelData;
    }

    private static String userAuthMessage(String socketId, String userData) {
        return socketId + "::user::" + userData;
    }

    public static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[i * 2] = HEX[(bytes[i] >> 4) & 0xF];
            out[i * 2 + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }
}
