package dev.chorus.relay.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.Scaling;
import dev.chorus.relay.Envelope;
import dev.chorus.relay.EnvelopeCodec;
import dev.chorus.relay.redis.LinkState.Side;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** The receiving side alone against a real Redis; the test publishes as the other nodes would. */
class SubscriberTest {
    @RegisterExtension
    static final RealRedis redis = new RealRedis();
    private final AtomicBoolean running = new AtomicBoolean(true);
    /** One permit each time the link is (back) up: the publisher side stands up already. */
    private final Semaphore up = new Semaphore(0);
    private final BlockingQueue<Envelope> received = new LinkedBlockingQueue<>();
    private Subscriber subscriber;

    @BeforeEach
    void subscribe() throws Exception {
        Scaling scaling = redis.scaling();
        LinkState link = new LinkState(scaling, () -> 0, () -> 0, System::currentTimeMillis);
        link.onReconnect(up::release);
        link.up(Side.PUBLISHER);
        subscriber = new Subscriber(scaling, new RedisEndpoint(scaling), "n1", link, running::get);
        subscriber.start(received::add);
        assertTrue(up.tryAcquire(10, TimeUnit.SECONDS));
    }

    @AfterEach
    void unsubscribe() {
        running.set(false);
        subscriber.hangUp();
        subscriber.close();
    }

    private static String numbered(String node, String frame, long sequence) {
        return EnvelopeCodec.withSequence(EnvelopeCodec.encode(Envelope.event(node, "1", "news", frame, null)), sequence);
    }

    @Test
    void otherNodesEnvelopesArriveOnceAndThisNodesOwnNotAtAll() throws Exception {
        try (Jedis other = redis.admin()) {
            other.publish("test", numbered("n2", "a", 1));
            other.publish("test", numbered("n2", "a", 1));
            other.publish("test", numbered("n1", "own", 1));
            other.publish("test", numbered("n2", "b", 2));
        }
        assertEquals("a", received.poll(10, TimeUnit.SECONDS).frame());
        assertEquals("b", received.poll(10, TimeUnit.SECONDS).frame());
        assertNull(received.poll(0, TimeUnit.SECONDS), "Redis delivers in order: nothing else came between");
    }

    @Test
    void afterRedisRestartsTheSubscriberIsBackWithoutHelpAndStillReceives() throws Exception {
        redis.process.kill();
        redis.process.restart();
        assertTrue(up.tryAcquire(20, TimeUnit.SECONDS), "the link came back");
        try (Jedis other = redis.admin()) {
            other.publish("test", numbered("n3", "after", 1));
        }
        assertEquals("after", received.poll(10, TimeUnit.SECONDS).frame());
    }
}
