package dev.chorus.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.protocol.Webhooks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One app's webhook events between two flushes, coalesced as they arrive so that churn costs no
 * memory and sends nothing: for one channel, {@code channel_occupied} and {@code channel_vacated}
 * cancel each other (either order), as do {@code member_added} and {@code member_removed} for one
 * user; only the last {@code subscription_count} is kept, and none at all when the channel began and
 * ended the flush empty (the receiver last heard 0, or nothing). Pusher itself delays these events and
 * may cancel them. Surviving events keep their arrival order; other kinds pass through untouched.
 * <p>Thread-safe: {@link #add} is called from socket and fan-out threads, {@link #drain} from the
 * flush timer; each holds the lock for a few map operations.
 */
final class CoalescingBuffer {
    /** What {@link #add} did with an event. */
    enum Outcome { KEPT, COALESCED, DROPPED }

    private final int capacity;
    /** Arrival order; removal by sequence number is O(1). */
    private final LinkedHashMap<Long, ObjectNode> events = new LinkedHashMap<>();
    /** channel → sequence of its pending occupied or vacated. */
    private final Map<String, Long> occupancy = new HashMap<>();
    /** channel → sequence of its pending subscription_count. */
    private final Map<String, Long> counts = new HashMap<>();
    /** channel and user → sequence of the pending member_added or member_removed. */
    private final Map<String, Long> members = new HashMap<>();
    /** Channels whose occupied was cancelled by a vacated in this flush: empty before and after. */
    private final Set<String> emptyAgain = new HashSet<>();
    private long sequence;

    /** @param capacity events held at most (after coalescing); {@link WebhookLimits#maxPendingEvents} */
    CoalescingBuffer(int capacity) {
        this.capacity = capacity;
    }

    synchronized Outcome add(ObjectNode event) {
        String name = Webhooks.name(event);
        String channel = Webhooks.channel(event);
        switch (name) {
            case Webhooks.CHANNEL_OCCUPIED, Webhooks.CHANNEL_VACATED -> {
                if (cancels(occupancy, channel, name)) {
                    if (name.equals(Webhooks.CHANNEL_VACATED)) {
                        emptyAgain.add(channel);
                    }
                    return Outcome.COALESCED;
                }
                emptyAgain.remove(channel);
                return append(event, occupancy, channel);
            }
            case Webhooks.MEMBER_ADDED, Webhooks.MEMBER_REMOVED -> {
                String key = channel + '\n' + Webhooks.userId(event);
                return cancels(members, key, name) ? Outcome.COALESCED : append(event, members, key);
            }
            case Webhooks.SUBSCRIPTION_COUNT -> {
                Long earlier = counts.remove(channel);
                if (earlier != null) {
                    events.remove(earlier);
                }
                if (Webhooks.countOf(event) == 0 && emptyAgain.contains(channel)) {
                    return Outcome.COALESCED;
                }
                Outcome outcome = append(event, counts, channel);
                return earlier != null && outcome == Outcome.KEPT ? Outcome.COALESCED : outcome;
            }
            default -> {
                return append(event, null, null);
            }
        }
    }

    /** True (and the pending one removed) when {@code key} has a pending event that {@code name} undoes. */
    private boolean cancels(Map<String, Long> index, String key, String name) {
        Long pending = index.get(key);
        if (pending == null || Webhooks.name(events.get(pending)).equals(name)) {
            return false;
        }
        index.remove(key);
        events.remove(pending);
        return true;
    }

    private Outcome append(ObjectNode event, Map<String, Long> index, String key) {
        if (events.size() >= capacity) {
            return Outcome.DROPPED;
        }
        long at = sequence++;
        events.put(at, event);
        if (index != null) {
            index.put(key, at);
        }
        return Outcome.KEPT;
    }

    /** Everything pending, in arrival order; the buffer starts a new flush empty. */
    synchronized List<ObjectNode> drain() {
        List<ObjectNode> out = new ArrayList<>(events.values());
        events.clear();
        occupancy.clear();
        counts.clear();
        members.clear();
        emptyAgain.clear();
        return out;
    }

    synchronized int size() {
        return events.size();
    }
}
