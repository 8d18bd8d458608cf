package dev.chorus.channel;

import dev.chorus.protocol.ChannelKind;
import dev.chorus.protocol.PresenceRoster;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One channel of one app on this node. Fan-out reads {@link #subscribers()} without locking;
 * membership changes happen only inside {@link ChannelRegistry}'s per-name atomic sections, which
 * is what keeps the presence roster counts and the channel's existence consistent.
 */
public final class Channel {
    private final String name;
    private final ChannelKind kind;
    private final ConcurrentHashMap<String, Seat> subscribers = new ConcurrentHashMap<>();
    /** Counts joins; a frame goes to the seats taken at or before the count it was published at. */
    private final AtomicLong joins = new AtomicLong();
    private final Mailbox mailbox = new Mailbox();
    /** Presence only: user key → roster entry. Insertion order is first-subscription order. */
    private final Map<String, RosterEntry> roster;
    private long rosterVersion;

    Channel(String name, ChannelKind kind) {
        this.name = name;
        this.kind = kind;
        this.roster = kind.presence() ? new LinkedHashMap<>() : null;
    }

    public String name() {
        return name;
    }

    public ChannelKind kind() {
        return kind;
    }

    /** Live view for fan-out; weakly consistent, never throws while others subscribe. */
    public Collection<Seat> seats() {
        return subscribers.values();
    }

    /**
     * A subscriber and the join count at which it subscribed: fan-out that runs after a frame was
     * published still skips subscribers who joined after it (they got the state in their
     * subscription_succeeded instead, e.g. a presence roster that already has the new member).
     */
    public record Seat(Subscriber subscriber, long since) {
    }

    /** The join count now: stamp a frame with it when it is published. */
    public long sequence() {
        return joins.get();
    }

    public Mailbox mailbox() {
        return mailbox;
    }

    public int subscriptionCount() {
        return subscribers.size();
    }

    public boolean isEmpty() {
        return subscribers.isEmpty();
    }

    /** Distinct presence users; 0 for other kinds. */
    public synchronized int userCount() {
        return roster == null ? 0 : roster.size();
    }

    boolean contains(Subscriber subscriber) {
        return subscribers.containsKey(subscriber.socketId());
    }

    void add(Subscriber subscriber) {
        subscribers.put(subscriber.socketId(), new Seat(subscriber, joins.incrementAndGet()));
    }

    boolean remove(Subscriber subscriber) {
        Seat seat = subscribers.get(subscriber.socketId());
        return seat != null && seat.subscriber() == subscriber && subscribers.remove(subscriber.socketId(), seat);
    }

    /**
     * @param versions numbers the change when the user is new to the channel
     * @return true when this is the user's first connection in the channel
     */
    synchronized boolean addMember(Member member, AtomicLong versions) {
        RosterEntry entry = roster.get(member.userKey());
        if (entry == null) {
            roster.put(member.userKey(), new RosterEntry(member));
            rosterVersion = versions.incrementAndGet();
            return true;
        }
        entry.connections++;
        return false;
    }

    /**
     * @param versions numbers the change when the user left the channel
     * @return true when that was the user's last connection in the channel
     */
    synchronized boolean removeMember(Member member, AtomicLong versions) {
        RosterEntry entry = roster.get(member.userKey());
        if (entry == null) {
            return false;
        }
        if (--entry.connections == 0) {
            roster.remove(member.userKey());
            rosterVersion = versions.incrementAndGet();
            return true;
        }
        return false;
    }

    /** This node's version of the roster: the number of its last change (see {@link ChannelRegistry}). */
    synchronized long rosterVersion() {
        return rosterVersion;
    }

    synchronized boolean hasUser(String userKey) {
        return roster != null && roster.containsKey(userKey);
    }

    /**
     * The presence payload of {@code subscription_succeeded}:
     * {@code {"presence":{"ids":[...],"hash":{...},"count":N}}}; an empty hash is {@code {}}.
     */
    synchronized String presenceData() {
        PresenceRoster roster = new PresenceRoster();
        for (RosterEntry entry : this.roster.values()) {
            roster.add(entry.member.userKey(), entry.member.userIdJson(), entry.member.userInfoJson());
        }
        return roster.data();
    }

    /** Members for queries: one entry per user, in first-subscription order. */
    public synchronized List<Member> members() {
        List<Member> out = new ArrayList<>(roster == null ? 0 : roster.size());
        if (roster != null) {
            for (RosterEntry entry : roster.values()) {
                out.add(entry.member);
            }
        }
        return out;
    }

    private static final class RosterEntry {
        final Member member;
        int connections = 1;

        RosterEntry(Member member) {
            this.member = member;
        }
    }
}
