package dev.chorus.relay.redis;

import dev.chorus.app.Scaling;
import dev.chorus.it.RedisProcess;
import java.io.IOException;
import java.time.Duration;
import redis.clients.jedis.Jedis;

/** The tests' real redis-server ({@link RedisProcess}, a free port) and what talks to it. */
final class RealRedis implements AutoCloseable {
    final RedisProcess process;

    private RealRedis(RedisProcess process) {
        this.process = process;
    }

    static RealRedis start() throws IOException {
        return new RealRedis(RedisProcess.start());
    }

    /** Scaling settings for it, with the default link settings and the given node timeout. */
    Scaling scaling(Duration nodeTimeout) {
        return new Scaling(true, "test", "127.0.0.1", process.port, false, null, null, 0, nodeTimeout, null, Scaling.Link.DEFAULT);
    }

    Scaling scaling() {
        return scaling(Duration.ofSeconds(30));
    }

    /** A plain connection for the test to look and poke with; the caller closes it. */
    Jedis admin() {
        return new Jedis("127.0.0.1", process.port);
    }

    void flush() {
        try (Jedis admin = admin()) {
            admin.flushAll();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
