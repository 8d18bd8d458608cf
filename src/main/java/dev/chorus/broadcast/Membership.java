package dev.chorus.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.app.App;
import dev.chorus.channel.Channel;
import dev.chorus.channel.ChannelRegistry;
import dev.chorus.channel.Member;
import dev.chorus.channel.Subscriber;
import dev.chorus.protocol.ChannelKind;
import dev.chorus.protocol.Frames;
import dev.chorus.protocol.RosterChange;
import dev.chorus.protocol.Webhooks;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.Envelope;
import dev.chorus.relay.Relay;
import dev.chorus.webhook.WebhookEmitter;
import java.time.Duration;

/**
 * Who is subscribed, signed in and connected, decided for the whole cluster: subscribe and unsubscribe
 * with presence and the member limit, the lifecycle webhooks (occupied, vacated, member added and
 * removed, counts: once per cluster, not per node), Pusher's subscription counts, signed-in users and
 * connection counts. Where the cluster cannot be asked, {@link ClusterView} answers for this node alone.
 * Frames reach sockets through the {@link Broadcaster}, like any other.
 */
public final class Membership implements AutoCloseable {
    private final Broadcaster fanOut;
    private final ClusterView view;
    private final Relay relay;
    private final WebhookEmitter webhooks;
    private final SubscriptionCounts counts;

    /** @param countInterval how often subscription counts go out; {@link Duration#ZERO}: only by {@link #flushCounts()} */
    Membership(Broadcaster fanOut, ClusterView view, Relay relay, WebhookEmitter webhooks, Duration countInterval) {
        this.fanOut = fanOut;
        this.view = view;
        this.relay = relay;
        this.webhooks = webhooks;
        this.counts = new SubscriptionCounts(this::sendCount, countInterval);
    }

    /**
     * The outcome of a subscribe, with presence decided for the whole cluster.
     * @param added         for a user new to the channel ({@code firstForUser}), the roster change to announce
     * @param rosterVersion the version of the roster in {@code presenceData}: member frames up to it are
     *                      already in it, so the connection leaves them out (see {@link RosterChange})
     */
    public record Joined(ChannelRegistry.Subscribed local, String presenceData, boolean firstForUser, RosterChange added,
                         long rosterVersion) {
        Joined(ChannelRegistry.Subscribed local, String presenceData) {
            this(local, presenceData, false, null, RosterChange.UNORDERED);
        }
    }

    /**
     * Subscribes on this node and reports it to the cluster. For presence channels the roster and
     * "first connection of this user" are the cluster's; when the cluster cannot be asked, this node's.
     */
    public Joined subscribe(App app, String channel, Subscriber subscriber, Member member) {
        ChannelRegistry registry = fanOut.channels(app);
        ChannelRegistry.Subscribed local = registry.subscribe(channel, subscriber, member, app.maxPresenceMembers(),
                app.limits().maxChannels());
        if (local.rosterFull() || local.channelsFull()) {
            return new Joined(local, null);
        }
        if (local.alreadySubscribed()) {
            String roster = local.channel().kind().presence() ? view.presenceData(app, channel, local.presenceData()) : null;
            return new Joined(local, roster);
        }
        ChannelKind kind = local.channel().kind();
        ClusterState.Joined entry = null;
        if (kind.presence() && local.firstForUser()) {
            // max_presence_members is the channel's over all nodes: the cluster decides whether a new user fits
            // (this node's registry only checked its own part).
            entry = view.join(app, channel, member.userKey(), MemberJson.of(member), local.rosterVersion());
            if (entry.entry() == ClusterState.Entry.FULL) {
                // Taken back before anything was counted or announced. Small race, accepted: a second connection
                // of the same user on this node in between stays subscribed while the cluster has not recorded it.
                registry.unsubscribe(channel, subscriber, member);
                return new Joined(new ChannelRegistry.Subscribed(local.channel(), false, false, true, null,
                        local.subscriptions() - 1), null);
            }
        }
        if (kind != ChannelKind.SERVER_TO_USER) {
            counted(app, local.channel(), 1, local.subscriptions());
        }
        if (!kind.presence()) {
            return new Joined(local, null);
        }
        boolean first = entry != null && entry.entry() == ClusterState.Entry.FIRST;
        if (first) {
            webhooks.emit(app, Webhooks.member(Webhooks.MEMBER_ADDED, channel, member.userKey()));
        }
        ClusterView.Presence roster = view.presence(app, channel, local.presenceData(), local.rosterVersion(),
                member.userKey(), MemberJson.of(member));
        return new Joined(local, roster.data(), first,
                first ? new RosterChange(channel, member.userKey(), entry.version()) : null, roster.version());
    }

    /** Unsubscribes on this node; announces {@code member_removed} when the user left the whole cluster. */
    public void unsubscribe(App app, String channel, Subscriber subscriber, Member member) {
        unsubscribe(app, channel, subscriber, member, true);
    }

    /**
     * Unsubscribes on this node.
     * @param announce false for a subscribe taken back before its {@code member_added} went out (the
     *                 connection closed meanwhile): the members never heard of the user, so they must not
     *                 hear {@code member_removed} either. Webhooks stay paired: member_added was emitted.
     */
    public void unsubscribe(App app, String channel, Subscriber subscriber, Member member, boolean announce) {
        ChannelRegistry.Unsubscribed local = fanOut.channels(app).unsubscribe(channel, subscriber, member);
        if (local == null) {
            return;
        }
        ChannelKind kind = local.channel().kind();
        ClusterState.Left left = local.lastForUser() ? view.leave(app, channel, member.userKey(), local.rosterVersion()) : null;
        if (left != null && left.last()) {
            if (announce) {
                fanOut.publishMember(app, channel, Frames.memberRemoved(channel, member.userIdJson()), null,
                        new RosterChange(channel, member.userKey(), left.version()));
            }
            webhooks.emit(app, Webhooks.member(Webhooks.MEMBER_REMOVED, channel, member.userKey()));
        }
        if (kind != ChannelKind.SERVER_TO_USER) {
            counted(app, local.channel(), -1, local.subscriptions());
        }
    }

    /** Occupied, vacated and the new count, from the cluster's total when scaling, else this node's. */
    private void counted(App app, Channel channel, int delta, int localAfter) {
        long total = view.subscriptionsAfter(app, channel.name(), delta, localAfter);
        if (app.features().subscriptionCount() && countsPushed(channel.kind())) {
            // Only a mark: the count goes out on SubscriptionCounts' timer, coalesced per channel.
            counts.changedHere(app, channel.name());
        }
        if (app.webhooks().isEmpty()) {
            return;
        }
        if (delta > 0 && total == 1) {
            webhooks.emit(app, Webhooks.channelEvent(Webhooks.CHANNEL_OCCUPIED, channel.name()));
        } else if (delta < 0 && total == 0) {
            webhooks.emit(app, Webhooks.channelEvent(Webhooks.CHANNEL_VACATED, channel.name()));
        }
        webhooks.emit(app, Webhooks.subscriptionCount(channel.name(), total));
    }

    /** Pusher sends subscription counts on every channel kind but presence (which has its members). */
    private static boolean countsPushed(ChannelKind kind) {
        return !kind.presence() && kind != ChannelKind.SERVER_TO_USER;
    }

    /** Another node's subscriptions of the channel changed: this node's subscribers get the new total. */
    public void countChanged(App app, String channel) {
        if (app.features().subscriptionCount() && countsPushed(ChannelKind.of(channel))) {
            counts.changedElsewhere(app, channel);
        }
    }

    /**
     * A dead node's subscriptions of the channel were removed by this node: only this node knows, so it
     * tells the others as for a change of its own.
     */
    public void countGone(App app, String channel) {
        if (app.features().subscriptionCount() && countsPushed(ChannelKind.of(channel))) {
            counts.changedHere(app, channel);
        }
    }

    /** Sends every pending subscription count now (the timer does this every {@link SubscriptionCounts#INTERVAL}). */
    public void flushCounts() {
        counts.flush();
    }

    /**
     * One coalesced count: the other nodes are told the channel changed (they read the total themselves
     * when they send, so whichever order notices arrive in, the last count sent is the current one), and
     * this node's subscribers get the total as it is now, one frame encoded once for all of them.
     */
    private void sendCount(App app, String channel, boolean changedHere) {
        if (changedHere) {
            relay.publish(Envelope.count(relay.nodeId(), app.id(), channel));
        }
        Channel target = fanOut.channels(app).find(channel);
        if (target == null || target.isEmpty()) {
            return;
        }
        fanOut.deliver(app, target, Frames.subscriptionCount(channel, view.subscriptionTotal(app, target)), null);
    }

    /**
     * A dead node held the user's last connection: tell everyone here and on the other nodes.
     * @param version the roster version after the reap removed the member
     */
    public void memberGone(App app, String channel, String memberJson, long version) {
        JsonNode member = MemberJson.parse(memberJson);
        webhooks.emit(app, Webhooks.member(Webhooks.MEMBER_REMOVED, channel, member.get("id").asText()));
        fanOut.publishMember(app, channel, Frames.memberRemoved(channel, member.get("id").toString()), null,
                new RosterChange(channel, member.get("id").asText(), version));
    }

    /**
     * Presence members that became first in the cluster again after an outage: announce them.
     * @param version the roster version after the re-report added the member back
     */
    public void memberBack(App app, String channel, String memberJson, long version) {
        JsonNode member = MemberJson.parse(memberJson);
        String frame = Frames.memberAdded(channel, member.get("id").toString(),
                member.hasNonNull("info") ? member.get("info").toString() : null);
        webhooks.emit(app, Webhooks.member(Webhooks.MEMBER_ADDED, channel, member.get("id").asText()));
        fanOut.publishMember(app, channel, frame, null, new RosterChange(channel, member.get("id").asText(), version));
    }

    /**
     * This node's first signed-in connection of the user opened. Counted like a presence member of
     * {@link ClusterState#SIGNED_IN}, so first and last are decided once for the cluster.
     * @return true when it is the user's first signed-in connection anywhere: the other nodes have been
     *         told, this node's watchers are the caller's to tell
     */
    public boolean signedIn(App app, String userId) {
        boolean first = view.signIn(app, userId);
        if (first) {
            announceUserStatus(app, userId, true);
        }
        return first;
    }

    /**
     * This node's last signed-in connection of the user closed.
     * @return true when the user has no signed-in connection anywhere now (the other nodes have been told)
     */
    public boolean signedOut(App app, String userId) {
        boolean last = view.signOut(app, userId);
        if (last) {
            announceUserStatus(app, userId, false);
        }
        return last;
    }

    /** Tells the other nodes of a status this node learned (its own sign-ins, a reaped node, a resync). */
    public void announceUserStatus(App app, String userId, boolean online) {
        relay.publish(Envelope.userStatus(relay.nodeId(), app.id(), userId, online));
    }

    /** Asks the other nodes to close the user's connections there (this node closes its own). */
    public void terminateElsewhere(App app, String userId) {
        relay.publish(Envelope.terminate(relay.nodeId(), app.id(), userId));
    }

    public void connectionOpened(App app) {
        view.connections(app, 1);
    }

    public void connectionClosed(App app) {
        view.connections(app, -1);
    }

    /** Stops the count timer. */
    @Override
    public void close() {
        counts.close();
    }
}
