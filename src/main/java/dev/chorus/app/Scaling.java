package dev.chorus.app;

import java.time.Duration;
import java.util.List;

/**
 * Horizontal scaling over Redis. {@code prefix} names the pub/sub channel and prefixes every key, so
 * several deployments can share one Redis ({@code REVERB_SCALING_CHANNEL}).
 *
 * @param tls         {@code rediss://}: TLS to Redis
 * @param database    Redis logical database ({@code REDIS_DB})
 * @param nodeTimeout how long a node may stay silent before the others treat it as dead
 * @param sentinel    where to ask for the master, or null to use {@code host}/{@code port} directly
 * @param link        how the links to Redis are watched and what waits for them during an outage
 */
public record Scaling(boolean enabled, String prefix, String host, int port, boolean tls, String username,
                      String password, int database, Duration nodeTimeout, Sentinel sentinel, Link link) {

    public static final Scaling DISABLED = new Scaling(false, "chorus", "127.0.0.1", 6379, false, null, null, 0,
            Duration.ofSeconds(30), null, Link.DEFAULT);

    /**
     * Redis Sentinel: the master named {@code master} is looked up from these sentinels on every
     * (re)connect, so a failover is followed by reconnecting. {@code username}/{@code password}
     * authenticate to the sentinels; the master uses the scaling credentials.
     *
     * @param addresses {@code host:port} of each sentinel, asked in order
     */
    public record Sentinel(List<String> addresses, String master, String username, String password) {
        public Sentinel {
            addresses = List.copyOf(addresses);
        }

        @Override
        public String toString() {
            return "Sentinel[" + master + " via " + String.join(",", addresses) + (password == null ? "" : ", password=****") + "]";
        }
    }

    /**
     * @param outageBuffer    envelopes kept while Redis is unreachable, relayed in order once it is back
     *                        ({@code 0}: drop them, as before)
     * @param outageBufferAge how long a kept envelope stays worth relaying
     * @param pingInterval    how often an idle link is checked with a PING
     * @param pingTimeout     a link that answered nothing for this long is taken for dead and replaced
     */
    public record Link(int outageBuffer, Duration outageBufferAge, Duration pingInterval, Duration pingTimeout) {
        public static final Link DEFAULT = new Link(5_000, Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(3));
    }

    /** Where Redis is, without the password, for log lines. */
    public String describe() {
        if (sentinel != null) {
            return "sentinel master '" + sentinel.master() + "' via " + String.join(",", sentinel.addresses()) + "/" + database;
        }
        return (tls ? "rediss://" : "redis://") + (username == null ? "" : username + "@") + host + ":" + port + "/" + database;
    }

    /** A record would print the password: anything that logs a {@code Scaling} gets {@link #describe()}. */
    @Override
    public String toString() {
        return "Scaling[" + (enabled ? describe() + ", prefix=" + prefix : "disabled") + (password == null ? "" : ", password=****")
                + (sentinel != null && sentinel.password() != null ? ", sentinel password=****" : "") + "]";
    }
}
