package dev.chorus.relay.redis;

import dev.chorus.relay.ClusterState.Member;
import java.util.ArrayList;
import java.util.List;

/**
 * What removing a dead node's part took out of the cluster: the presence members whose last connection
 * it held (to announce as gone) and the channels whose subscription counts changed.
 */
record Reaped(List<Member> gone, List<Channel> channels) {
    record Channel(String app, String channel) {
    }

    /**
     * Reads the reap script's answer: {@code {{entry, member JSON, roster version, ...}, {app NUL channel, ...}}}.
     * @return null when the script found the node alive and removed nothing
     */
    static Reaped from(Object result) {
        if (!(result instanceof List<?> lists) || lists.size() != 2) {
            return null;
        }
        List<Member> gone = new ArrayList<>();
        List<?> pairs = (List<?>) lists.get(0);
        for (int i = 0; i + 2 < pairs.size(); i += 3) {
            PresenceEntry entry = PresenceEntry.decode(String.valueOf(pairs.get(i)));
            if (entry != null) {
                gone.add(entry.member(String.valueOf(pairs.get(i + 1)), ((Number) pairs.get(i + 2)).longValue()));
            }
        }
        List<Channel> channels = new ArrayList<>();
        for (Object channel : (List<?>) lists.get(1)) {
            String[] parts = String.valueOf(channel).split(PresenceEntry.SEP, 2);
            channels.add(new Channel(parts[0], parts[1]));
        }
        return new Reaped(List.copyOf(gone), List.copyOf(channels));
    }
}
