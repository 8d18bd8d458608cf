package dev.chorus.relay.redis;

import java.util.HashMap;
import java.util.Map;

/**
 * The last sequence number seen from each sending node: a publisher that retries a batch on a fresh
 * connection may send again what had reached Redis, and this drops the second copy, so delivery stays at
 * most once. Envelopes without a number (older nodes, commands) always pass.
 * <p>Threading: the subscriber thread only. Kept across reconnects: the numbers go on across them.
 */
final class Duplicates {
    /** Node ids come and go with restarts; past this many the memory starts over rather than grow. */
    private static final int MAX_NODES = 10_000;

    private final Map<String, Long> last = new HashMap<>();

    /** @return true when the envelope is new: unnumbered, or numbered past the last one seen from its node */
    boolean fresh(String node, long sequence) {
        if (sequence <= 0) {
            return true;
        }
        Long seen = last.get(node);
        if (seen != null && sequence <= seen) {
            return false;
        }
        if (last.size() > MAX_NODES) {
            last.clear();
        }
        last.put(node, sequence);
        return true;
    }
}
