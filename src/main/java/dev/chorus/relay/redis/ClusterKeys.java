package dev.chorus.relay.redis;

/**
 * Where the cluster state lives in Redis, every key under the scaling prefix {@code p}:
 * <ul>
 * <li>{@code p:nodes}: set of node ids that have heartbeated at some point and were not reaped;</li>
 * <li>{@code p:node:{id}}: the node's heartbeat, expiring after the node timeout;</li>
 * <li>{@code p:np:{id}}: the node's presence entries ({@link PresenceEntry}), so a reaper knows what to remove;</li>
 * <li>{@code p:pm:{app}:{channel}}: the channel's roster, user → member JSON over all nodes;</li>
 * <li>{@code p:pv:{app}:{channel}}: the roster's version, bumped by every change of it, expiring a day after the last;</li>
 * <li>{@code p:pn:{app}:{channel}:{user}}: the nodes holding the user in the channel;</li>
 * <li>{@code p:subs:{app}:{id}}: the node's subscriptions, channel → count;</li>
 * <li>{@code p:conns:{app}}: connections, node → count;</li>
 * <li>{@code p:cache:{app}:{channel}}: a cache channel's last event, with its TTL;</li>
 * <li>{@code p:rate:{app}:{kind}:{second}}: the backend rate counts of one second;</li>
 * <li>{@code p:reap:{id}}: the lock of whichever node reaps (or the node itself leaving) that node.</li>
 * </ul>
 * The reap script ({@link ClusterScripts}) builds the same names itself from the prefix: the two must agree.
 */
record ClusterKeys(String prefix) {
    String nodes() {
        return key("nodes");
    }

    String heartbeat(String node) {
        return key("node", node);
    }

    /** What every heartbeat key starts with: the subscribe script appends node ids to it. */
    String heartbeatPrefix() {
        return key("node", "");
    }

    String nodePresence(String node) {
        return key("np", node);
    }

    String roster(String app, String channel) {
        return key("pm", app, channel);
    }

    String rosterVersion(String app, String channel) {
        return key("pv", app, channel);
    }

    String holders(String app, String channel, String userKey) {
        return key("pn", app, channel, userKey);
    }

    String subscriptions(String app, String node) {
        return key("subs", app, node);
    }

    /** What every node's subscriptions key of the app starts with: the subscribe script appends node ids to it. */
    String subscriptionsPrefix(String app) {
        return key("subs", app, "");
    }

    String connections(String app) {
        return key("conns", app);
    }

    String cache(String app, String channel) {
        return key("cache", app, channel);
    }

    String rate(String app, String kind, long epochSecond) {
        return key("rate", app, kind, Long.toString(epochSecond));
    }

    String reapLock(String node) {
        return key("reap", node);
    }

    private String key(String... parts) {
        return prefix + ":" + String.join(":", parts);
    }
}
