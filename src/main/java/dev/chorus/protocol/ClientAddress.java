package dev.chorus.protocol;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The address a per-client limit counts: the socket's peer, unless the peer is a trusted proxy, in
 * which case the nearest address in {@code X-Forwarded-For} that is not itself a trusted proxy. An
 * untrusted peer's header is ignored: anyone can write it.
 */
public final class ClientAddress {
    public static final String FORWARDED_FOR = "X-Forwarded-For";

    private ClientAddress() {
    }

    /**
     * @param peer         the socket's remote address (no port)
     * @param forwardedFor the {@code X-Forwarded-For} header, or null
     * @param trusted      addresses of proxies whose header is believed
     */
    public static String of(String peer, String forwardedFor, List<String> trusted) {
        if (peer == null || forwardedFor == null || forwardedFor.isBlank() || !isTrusted(peer, trusted)) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (hop.isEmpty()) {
                continue;
            }
            if (!isTrusted(hop, trusted) || i == 0) {
                return hop;
            }
        }
        return peer;
    }

    public static boolean isTrusted(String address, List<String> trusted) {
        if (address == null) {
            return false;
        }
        String bare = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        byte[] bytes = null;
        for (String proxy : trusted) {
            if (proxy.equals(bare) || (isLoopback(proxy) && isLoopback(bare))) {
                return true;
            }
            int slash = proxy.indexOf('/');
            if (slash > 0) {
                if (bytes == null) {
                    bytes = literal(bare);
                    if (bytes == null) {
                        return false;
                    }
                }
                if (inRange(bytes, proxy.substring(0, slash), proxy.substring(slash + 1))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code address} is an IP literal or a CIDR range ({@code 10.0.0.0/8}, {@code fd00::/8}). */
    public static boolean isAddressOrRange(String text) {
        int slash = text.indexOf('/');
        byte[] base = literal(slash < 0 ? text : text.substring(0, slash));
        if (base == null) {
            return false;
        }
        if (slash < 0) {
            return true;
        }
        try {
            int bits = Integer.parseInt(text.substring(slash + 1));
            return bits >= 0 && bits <= base.length * 8;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean inRange(byte[] address, String network, String prefix) {
        byte[] base = literal(network);
        int bits;
        try {
            bits = Integer.parseInt(prefix);
        } catch (NumberFormatException e) {
            return false;
        }
        if (base == null || base.length != address.length || bits < 0 || bits > base.length * 8) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((base[i / 8] & mask) != (address[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** The bytes of an IP literal, never resolving a name; null for anything else. */
    private static byte[] literal(String text) {
        // Only the two literal shapes: anything else could make InetAddress look a name up.
        if (!(text.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (text.indexOf(':') >= 0 && text.matches("[0-9A-Fa-f:.]+")))) {
            return null;
        }
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** {@code 127.0.0.0/8} and {@code ::1} in their usual spellings: one loopback entry stands for all. */
    static boolean isLoopback(String address) {
        return address.startsWith("127.") || address.equals("::1") || address.equals("0:0:0:0:0:0:0:1");
    }
}
