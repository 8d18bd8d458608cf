package dev.chorus.testing;

import dev.chorus.relay.ClusterState;
import dev.chorus.relay.Envelope;
import dev.chorus.relay.Relay;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * What Redis is to real nodes, in memory: one shared store of presence members, subscription and
 * connection counts and cached events, and a bus between the nodes' relays. Each {@link #node} gets
 * a {@link ClusterState} that reports its own part and answers for all, and a {@link Relay} whose
 * envelopes reach every other node's receiver. Two {@code Broadcasting}s built on two nodes behave as
 * two nodes of one cluster, without a network.
 * <p>Every answer is decided under one lock, so exactly one node sees a channel become occupied or
 * vacated, as with Redis. Relayed envelopes are delivered on the publishing thread, one at a time per
 * receiving node, in publish order: when {@code publish} returns, the other nodes have handled it,
 * unless a node's incoming relay is paused ({@link Node#pauseRelay}), which stands for a slow link.
 * Roster versions are one counter for the whole store. Dead-node reaping, resync and the outage
 * callbacks are not modelled.
 */
public final class InMemoryCluster {
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    /** app → channel → node → subscriptions. */
    private final Map<String, Map<String, Map<String, Long>>> subscriptions = new HashMap<>();
    /** app → channel → user key → node → member JSON. */
    private final Map<String, Map<String, Map<String, Map<String, String>>>> members = new HashMap<>();
    /** app → node → connections. */
    private final Map<String, Map<String, Long>> connections = new HashMap<>();
    private final Map<String, String> cached = new HashMap<>();
    private final Map<String, Long> rates = new HashMap<>();
    private long rosterVersion;

    /** A new node of this cluster (its state and its relay), known to the others from now on. */
    public synchronized Node node(String id) {
        if (nodes.containsKey(id)) {
            throw new IllegalArgumentException("node " + id + " exists");
        }
        Node node = new Node(id);
        nodes.put(id, node);
        return node;
    }

    /** A node made before, by its id. */
    public synchronized Node nodeById(String id) {
        return nodes.get(id);
    }

    private synchronized List<Node> othersThan(String id) {
        return nodes.values().stream().filter(node -> !node.id.equals(id)).toList();
    }

    /** One node: its part of the shared store, and its link to the other nodes. */
    public final class Node implements ClusterState, Relay {
        private final String id;
        /** What this node published, oldest first. */
        public final List<Envelope> sent = new CopyOnWriteArrayList<>();
        private volatile Consumer<Envelope> receiver = envelope -> { };
        /** Envelopes for this node waiting for {@link #resumeRelay}; null while the relay runs. */
        private List<Envelope> paused;

        private Node(String id) {
            this.id = id;
        }

        /** This node's view of the shared store. */
        public ClusterState state() {
            return this;
        }

        /** This node's link to the others. */
        public Relay relay() {
            return this;
        }

        // ---- Relay

        @Override
        public String nodeId() {
            return id;
        }

        @Override
        public void publish(Envelope envelope) {
            sent.add(envelope);
            for (Node other : othersThan(id)) {
                other.receive(envelope);
            }
        }

        private synchronized void receive(Envelope envelope) {
            if (paused != null) {
                paused.add(envelope);
                return;
            }
            receiver.accept(envelope);
        }

        /** Envelopes from the other nodes wait from now on, as on a slow link, until {@link #resumeRelay}. */
        public synchronized void pauseRelay() {
            paused = new ArrayList<>();
        }

        /** Hands over the envelopes that waited, in order, and lets the next ones through. */
        public synchronized void resumeRelay() {
            List<Envelope> waiting = paused;
            paused = null;
            waiting.forEach(receiver);
        }

        @Override
        public void start(Consumer<Envelope> receiver) {
            this.receiver = receiver;
        }

        @Override
        public boolean connected() {
            return true;
        }

        @Override
        public void close() {
        }

        // ---- ClusterState

        @Override
        public Optional<Boolean> join(String app, String channel, String userKey, String memberJson) {
            return join(app, channel, userKey, memberJson, -1).map(joined -> joined.entry() == Entry.FIRST);
        }

        @Override
        public Optional<Joined> join(String app, String channel, String userKey, String memberJson, int maxMembers) {
            synchronized (InMemoryCluster.this) {
                Map<String, Map<String, String>> users = members.computeIfAbsent(app, a -> new HashMap<>())
                        .computeIfAbsent(channel, c -> new HashMap<>());
                Map<String, String> where = users.get(userKey);
                boolean elsewhere = where != null && !where.isEmpty();
                if (!elsewhere && maxMembers >= 0 && users.values().stream().filter(w -> !w.isEmpty()).count() >= maxMembers) {
                    return Optional.of(new Joined(Entry.FULL, 0));
                }
                users.computeIfAbsent(userKey, u -> new HashMap<>()).put(id, memberJson);
                return Optional.of(elsewhere ? new Joined(Entry.AGAIN, 0) : new Joined(Entry.FIRST, ++rosterVersion));
            }
        }

        @Override
        public Optional<Left> leave(String app, String channel, String userKey) {
            synchronized (InMemoryCluster.this) {
                Map<String, String> where = members.getOrDefault(app, Map.of()).getOrDefault(channel, Map.of()).get(userKey);
                if (where != null) {
                    where.remove(id);
                    if (where.isEmpty()) {
                        members.get(app).get(channel).remove(userKey);
                    }
                }
                boolean last = where == null || where.isEmpty();
                return Optional.of(new Left(last, last ? ++rosterVersion : 0));
            }
        }

        @Override
        public Optional<Set<String>> present(String app, String channel, Collection<String> userKeys) {
            synchronized (InMemoryCluster.this) {
                Map<String, Map<String, String>> users = members.getOrDefault(app, Map.of()).getOrDefault(channel, Map.of());
                return Optional.of(userKeys.stream().filter(user -> !users.getOrDefault(user, Map.of()).isEmpty())
                        .collect(Collectors.toSet()));
            }
        }

        @Override
        public Optional<Map<String, String>> roster(String app, String channel) {
            return presence(app, channel).map(Roster::members);
        }

        @Override
        public Optional<Roster> presence(String app, String channel) {
            synchronized (InMemoryCluster.this) {
                Map<String, String> roster = new LinkedHashMap<>();
                members.getOrDefault(app, Map.of()).getOrDefault(channel, Map.of()).forEach((user, where) ->
                        where.values().stream().findFirst().ifPresent(json -> roster.put(user, json)));
                return Optional.of(new Roster(roster, rosterVersion));
            }
        }

        @Override
        public Optional<Long> subscriptions(String app, String channel, int delta) {
            synchronized (InMemoryCluster.this) {
                Map<String, Long> perNode = subscriptions.computeIfAbsent(app, a -> new HashMap<>())
                        .computeIfAbsent(channel, c -> new HashMap<>());
                perNode.merge(id, (long) delta, Long::sum);
                return Optional.of(perNode.values().stream().mapToLong(Long::longValue).sum());
            }
        }

        @Override
        public Optional<Long> subscriptionTotal(String app, String channel) {
            return subscriptions(app, channel, 0);
        }

        @Override
        public Optional<Map<String, Long>> subscriptionCounts(String app) {
            synchronized (InMemoryCluster.this) {
                Map<String, Long> counts = new HashMap<>();
                subscriptions.getOrDefault(app, Map.of()).forEach((channel, perNode) -> {
                    long total = perNode.values().stream().mapToLong(Long::longValue).sum();
                    if (total > 0) {
                        counts.put(channel, total);
                    }
                });
                return Optional.of(counts);
            }
        }

        @Override
        public void connections(String app, int delta) {
            synchronized (InMemoryCluster.this) {
                connections.computeIfAbsent(app, a -> new HashMap<>()).merge(id, (long) delta, Long::sum);
            }
        }

        @Override
        public Optional<Long> connectionCount(String app) {
            synchronized (InMemoryCluster.this) {
                return Optional.of(connections.getOrDefault(app, Map.of()).values().stream().mapToLong(Long::longValue).sum());
            }
        }

        @Override
        public Optional<Long> rate(String app, String kind, long epochSecond, int points) {
            synchronized (InMemoryCluster.this) {
                return Optional.of(rates.merge(app + " " + kind + " " + epochSecond, (long) points, Long::sum));
            }
        }

        @Override
        public void cache(String app, String channel, String frame, long ttlMillis) {
            synchronized (InMemoryCluster.this) {
                cached.put(app + " " + channel, frame);
            }
        }

        @Override
        public Optional<String> cached(String app, String channel) {
            synchronized (InMemoryCluster.this) {
                return Optional.ofNullable(cached.get(app + " " + channel));
            }
        }

        @Override
        public Optional<Set<String>> nodes() {
            synchronized (InMemoryCluster.this) {
                return Optional.of(new TreeSet<>(InMemoryCluster.this.nodes.keySet()));
            }
        }
    }
}
