package dev.chorus.broadcast;

import dev.chorus.app.App;
import dev.chorus.app.AppRegistry;
import dev.chorus.protocol.RosterChange;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.Envelope;
import dev.chorus.relay.Relay;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything that reaches this node from the others, each handed to the role that acts on it: relayed
 * envelopes ({@link Relay#start}), members and counts of a node that died ({@link ClusterState}), and the
 * re-report after Redis comes back. The inbound seam of the broadcast side, as centrifuge's
 * {@code HandlePublication} is; what concerns sockets goes to {@link LocalSessions}.
 * <p>Threading: {@link #relayed} runs on the relay's thread, {@link #resync} on the resync thread, the
 * "gone" callbacks on the reaper's; none blocks on a socket.
 */
public final class ClusterInbound {
    private final AppRegistry apps;
    private final Broadcasting broadcasting;
    private final ClusterState cluster;
    private final LocalSessions sessions;
    private final Runnable restart;

    /** @param restart asked for by a {@code RESTART} envelope (another node ran {@code chorus restart}) */
    public ClusterInbound(AppRegistry apps, Broadcasting broadcasting, ClusterState cluster, LocalSessions sessions,
                          Runnable restart) {
        this.apps = apps;
        this.broadcasting = broadcasting;
        this.cluster = cluster;
        this.sessions = sessions;
        this.restart = restart;
    }

    /** Starts listening: the relay's envelopes and the cluster's reaps come here from now on. */
    public void listen(Relay relay) {
        cluster.onMemberGone(this::memberGone);
        cluster.onSubscriptionsGone(this::subscriptionsGone);
        relay.start(this::relayed);
    }

    /** An envelope from another node. */
    void relayed(Envelope envelope) {
        if (envelope.type() == Envelope.Type.RESTART) {
            restart.run();
            return;
        }
        App app = apps.byId(envelope.app());
        if (app == null) {
            return;
        }
        Broadcaster broadcaster = broadcasting.broadcaster();
        switch (envelope.type()) {
            case EVENT -> broadcaster.receive(app, envelope.channel(), envelope.frame(), envelope.except());
            case INTERNAL -> broadcaster.receiveInternal(app, envelope.channel(), envelope.frame(), envelope.except(),
                    envelope.user() == null ? null : new RosterChange(envelope.channel(), envelope.user(), envelope.version()));
            case TERMINATE -> sessions.terminateUser(app, envelope.user());
            case COUNT -> broadcasting.membership().countChanged(app, envelope.channel());
            case ONLINE -> sessions.userStatusRelayed(app, envelope.user(), true);
            case OFFLINE -> sessions.userStatusRelayed(app, envelope.user(), false);
            default -> { }
        }
    }

    /** A dead node held this member's last connection (one live node reaps, so this is said once). */
    void memberGone(ClusterState.Member member) {
        App app = apps.byId(member.app());
        if (app == null) {
            return;
        }
        if (ClusterState.SIGNED_IN.equals(member.channel())) {
            sessions.userStatusFromCluster(app, member.userKey(), false);
        } else {
            broadcasting.membership().memberGone(app, member.channel(), member.memberJson(), member.version());
        }
    }

    private void subscriptionsGone(String appId, String channel) {
        App app = apps.byId(appId);
        if (app != null) {
            broadcasting.membership().countGone(app, channel);
        }
    }

    /**
     * Re-reports this node's part (the link is back, or Redis lost it) and announces the members that were
     * reaped meanwhile and are still here. Throws when Redis did not take it all: the caller retries.
     */
    public void resync() {
        ClusterState.LocalPart part = broadcasting.occupancy().localPart(sessions.connectionCounts());
        // Signed-in users are re-reported with the presence members, or resync would take them for stale.
        sessions.signedInUsers().forEach((appId, users) -> {
            Map<String, String> signedIn = new HashMap<>();
            users.forEach(user -> signedIn.put(user, "{}"));
            part.members().computeIfAbsent(appId, id -> new HashMap<>()).put(ClusterState.SIGNED_IN, signedIn);
        });
        for (ClusterState.Member member : cluster.resync(part)) {
            App app = apps.byId(member.app());
            if (app == null) {
                continue;
            }
            if (ClusterState.SIGNED_IN.equals(member.channel())) {
                sessions.userStatusFromCluster(app, member.userKey(), true);
            } else {
                broadcasting.membership().memberBack(app, member.channel(), member.memberJson(), member.version());
            }
        }
    }
}
