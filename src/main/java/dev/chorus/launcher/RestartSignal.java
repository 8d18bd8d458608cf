package dev.chorus.launcher;

import dev.chorus.app.Scaling;
import dev.chorus.relay.Envelope;
import dev.chorus.relay.EnvelopeCodec;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** {@code chorus restart} for a cluster: one RESTART envelope on the deployment's Redis channel. */
final class RestartSignal {
    private RestartSignal() {
    }

    /** @return how many nodes were listening */
    static long publish(Scaling scaling) {
        try (Jedis jedis = new Jedis(new HostAndPort(scaling.host(), scaling.port()), DefaultJedisClientConfig.builder()
                .user(scaling.username()).password(scaling.password()).database(scaling.database()).ssl(scaling.tls())
                .connectionTimeoutMillis(3_000).socketTimeoutMillis(3_000).build())) {
            return jedis.publish(scaling.prefix(), EnvelopeCodec.encode(Envelope.restart("restart-command")));
        }
    }
}
