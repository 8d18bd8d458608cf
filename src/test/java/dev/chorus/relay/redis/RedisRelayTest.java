package dev.chorus.relay.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.relay.Envelope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two relays (the publisher of one, the subscriber of the other) over a real Redis that may die. */
class RedisRelayTest {
    @RegisterExtension
    static final RealRedis redis = new RealRedis();
    private final BlockingQueue<Envelope> atN2 = new LinkedBlockingQueue<>();
    private final Semaphore n1Up = new Semaphore(0);
    private final Semaphore n2Up = new Semaphore(0);
    private RedisRelay n1;
    private RedisRelay n2;

    @BeforeEach
    void startRelays() throws Exception {
        n1 = new RedisRelay(redis.scaling(), "n1");
        n2 = new RedisRelay(redis.scaling(), "n2");
        n1.onReconnect(n1Up::release);
        n2.onReconnect(n2Up::release);
        n1.start(envelope -> { });
        n2.start(atN2::add);
        assertTrue(n1Up.tryAcquire(10, TimeUnit.SECONDS));
        assertTrue(n2Up.tryAcquire(10, TimeUnit.SECONDS));
    }

    @AfterEach
    void closeRelays() {
        n1.close();
        n2.close();
    }

    private List<String> receivedFrames(int count) throws InterruptedException {
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Envelope envelope = atN2.poll(20, TimeUnit.SECONDS);
            frames.add(envelope == null ? "(nothing)" : envelope.frame());
        }
        return frames;
    }

    private static List<String> frames(int from, int to) {
        List<String> frames = new ArrayList<>();
        for (int i = from; i < to; i++) {
            frames.add("frame " + i);
        }
        return frames;
    }

    private void publish(int from, int to) {
        for (String frame : frames(from, to)) {
            n1.publish(Envelope.event("n1", "1", "news", frame, null));
        }
    }

    @Test
    void aBurstLargerThanABatchArrivesWholeAndInOrder() throws Exception {
        publish(0, 3 * Publisher.MAX_BATCH);
        assertEquals(frames(0, 3 * Publisher.MAX_BATCH), receivedFrames(3 * Publisher.MAX_BATCH));
        assertEquals(0, n1.dropped());
    }

    @Test
    void whatWasPublishedWhileRedisWasDownArrivesInOrderOnceItIsBack() throws Exception {
        publish(0, 2);
        assertEquals(frames(0, 2), receivedFrames(2));
        redis.process.kill();
        publish(2, 5);
        redis.process.restart();
        assertTrue(n1Up.tryAcquire(20, TimeUnit.SECONDS), "n1's link came back");
        publish(5, 6);
        assertEquals(frames(2, 6), receivedFrames(4));
        assertEquals(0, n1.dropped());
        assertEquals(0, n1.buffered());
    }
}
