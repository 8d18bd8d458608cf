package dev.chorus.relay.redis;

import dev.chorus.app.Scaling;
import dev.chorus.it.RedisProcess;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.Jedis;

/**
 * The tests' real redis-server ({@link RedisProcess}, a free port) and what talks to it: one per test
 * class, as a JUnit extension ({@code @RegisterExtension static final RealRedis redis = new RealRedis();}).
 */
final class RealRedis implements BeforeAllCallback, AfterAllCallback {
    RedisProcess process;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        process = RedisProcess.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        process.close();
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
}
