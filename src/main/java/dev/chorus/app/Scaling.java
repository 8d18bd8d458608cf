package dev.chorus.app;

import java.time.Duration;

/**
 * Horizontal scaling over Redis. {@code prefix} names the pub/sub channel and prefixes every key, so
 * several deployments can share one Redis ({@code REVERB_SCALING_CHANNEL}).
 *
 * @param tls         {@code rediss://}: TLS to Redis
 * @param database    Redis logical database ({@code REDIS_DB})
 * @param nodeTimeout how long a node may stay silent before the others treat it as dead
 */
public record Scaling(boolean enabled, String prefix, String host, int port, boolean tls, String username,
                      String password, int database, Duration nodeTimeout) {

    public static final Scaling DISABLED = new Scaling(false, "chorus", "127.0.0.1", 6379, false, null, null, 0,
            Duration.ofSeconds(30));

    /** Where Redis is, without the password, for log lines. */
    public String describe() {
        return (tls ? "rediss://" : "redis://") + (username == null ? "" : username + "@") + host + ":" + port + "/" + database;
    }

    /** A record would print the password: anything that logs a {@code Scaling} gets {@link #describe()}. */
    @Override
    public String toString() {
        return "Scaling[" + (enabled ? describe() + ", prefix=" + prefix : "disabled") + (password == null ? "" : ", password=****") + "]";
    }
}
