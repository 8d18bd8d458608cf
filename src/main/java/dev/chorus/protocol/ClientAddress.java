package dev.chorus.protocol;

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
        for (String proxy : trusted) {
            if (proxy.equals(bare) || (isLoopback(proxy) && isLoopback(bare))) {
                return true;
            }
        }
        return false;
    }

    /** {@code 127.0.0.0/8} and {@code ::1} in their usual spellings: one loopback entry stands for all. */
    static boolean isLoopback(String address) {
        return address.startsWith("127.") || address.equals("::1") || address.equals("0:0:0:0:0:0:0:1");
    }
}
