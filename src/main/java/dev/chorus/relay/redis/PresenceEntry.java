package dev.chorus.relay.redis;

import dev.chorus.relay.ClusterState.Member;

/**
 * One user in one channel as a node's presence set ({@code p:np:{id}}) records it: the three parts joined
 * by NUL, which no app id, channel name or user key contains, so the reap script can split it again.
 */
record PresenceEntry(String app, String channel, String userKey) {
    static final String SEP = "\u0000";

    String encoded() {
        return app + SEP + channel + SEP + userKey;
    }

    /** @return the entry, or null when {@code encoded} is not one (written by something else) */
    static PresenceEntry decode(String encoded) {
        String[] parts = encoded.split(SEP, 3);
        return parts.length == 3 ? new PresenceEntry(parts[0], parts[1], parts[2]) : null;
    }

    Member member(String memberJson) {
        return member(memberJson, 0);
    }

    /** @param version the roster version after the member left or came back */
    Member member(String memberJson, long version) {
        return new Member(app, channel, userKey, memberJson, version);
    }

    static PresenceEntry of(Member member) {
        return new PresenceEntry(member.app(), member.channel(), member.userKey());
    }
}
