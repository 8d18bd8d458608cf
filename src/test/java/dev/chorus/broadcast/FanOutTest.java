package dev.chorus.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.channel.Channel;
import dev.chorus.channel.ChannelRegistry;
import dev.chorus.channel.Subscriber;
import dev.chorus.protocol.EncodedFrame;
import dev.chorus.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FanOutTest {
    /** Published last as a barrier: a channel delivers in publish order, so what is missing when it arrives never comes. */
    private static final String SENTINEL = "sentinel";
    private final FanOut fanOut = new FanOut();
    private final ChannelRegistry registry = new ChannelRegistry();
    private final AtomicInteger delivered = new AtomicInteger();

    @AfterEach
    void stop() {
        fanOut.close();
    }

    /** Records what arrives and how: single frames and batches, and on which thread. */
    private static final class Recorder implements Subscriber {
        final String id;
        final List<String> frames = new ArrayList<>();
        final List<Integer> batches = new ArrayList<>();
        volatile String thread;
        volatile CountDownLatch gate = new CountDownLatch(0);
        final CountDownLatch received;
        /** Down once a delivery to this recorder has begun (it may be held at the gate). */
        final CountDownLatch entered = new CountDownLatch(1);
        /** Down once the {@link #SENTINEL} frame has arrived: every frame published before it has too. */
        final CountDownLatch sentinel = new CountDownLatch(1);

        Recorder(String id, int expected) {
            this.id = id;
            this.received = new CountDownLatch(expected);
        }

        @Override
        public String socketId() {
            return id;
        }

        @Override
        public synchronized void send(EncodedFrame frame) {
            record(List.of(frame));
        }

        @Override
        public synchronized void send(List<EncodedFrame> frames) {
            record(frames);
        }

        private void record(List<EncodedFrame> batch) {
            thread = Thread.currentThread().getName();
            entered.countDown();
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            batches.add(batch.size());
            for (EncodedFrame frame : batch) {
                frames.add(frame.text());
                if (frame.text().equals(SENTINEL)) {
                    sentinel.countDown();
                } else {
                    received.countDown();
                }
            }
        }
    }

    private List<Recorder> subscribe(int count, int expected) {
        List<Recorder> recorders = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Recorder recorder = new Recorder("1." + i, expected);
            registry.subscribe("news", recorder, null, 0);
            recorders.add(recorder);
        }
        return recorders;
    }

    private static List<String> frames(Recorder recorder) {
        synchronized (recorder) {
            return List.copyOf(recorder.frames);
        }
    }

    private void publish(String text, String except) {
        fanOut.publish(registry.find("news"), EncodedFrame.of(text), except, 1000, delivered::addAndGet);
    }

    @Test
    void smallChannelIsDeliveredOnThePublishingThread() {
        List<Recorder> recorders = subscribe(3, 1);
        publish("a", null);
        for (Recorder recorder : recorders) {
            assertEquals(List.of("a"), recorder.frames);
            assertEquals(Thread.currentThread().getName(), recorder.thread);
        }
        assertEquals(3, delivered.get());
    }

    @Test
    void largeChannelGetsEveryFrameInOrderAndFramesThatPiledUpArriveAsOneBatch() throws Exception {
        List<Recorder> recorders = subscribe(FanOut.INLINE_LIMIT + 1, 20);
        CountDownLatch gate = new CountDownLatch(1);
        recorders.get(0).gate = gate; // holds the first round so the next 19 frames pile up
        publish("0", null);
        assertTrue(recorders.get(0).entered.await(10, TimeUnit.SECONDS), "the first round has begun");
        for (int i = 1; i < 20; i++) {
            publish(String.valueOf(i), null);
        }
        gate.countDown();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add(String.valueOf(i));
        }
        for (Recorder recorder : recorders) {
            assertTrue(recorder.received.await(10, TimeUnit.SECONDS));
            synchronized (recorder) {
                assertEquals(expected, recorder.frames);
                assertNotEquals(Thread.currentThread().getName(), recorder.thread);
                assertEquals(List.of(1, 19), recorder.batches, "the first frame alone, the rest together");
            }
        }
    }

    @Test
    void excludedSocketAndLaterJoinersAreSkippedEvenWhenDeliveryRunsLater() throws Exception {
        List<Recorder> recorders = subscribe(FanOut.INLINE_LIMIT + 1, 1);
        CountDownLatch gate = new CountDownLatch(1);
        recorders.get(0).gate = gate;
        publish("first", null);
        publish("not-for-1.1", "1.1");
        Recorder late = new Recorder("late", 1);
        registry.subscribe("news", late, null, 0);
        publish("after-join", null);
        gate.countDown();
        Channel channel = registry.find("news");
        for (Recorder recorder : recorders) {
            assertTrue(recorder.received.await(10, TimeUnit.SECONDS));
        }
        assertTrue(late.received.await(10, TimeUnit.SECONDS));
        publish(SENTINEL, null);
        for (Recorder recorder : List.of(recorders.get(1), recorders.get(2), late)) {
            assertTrue(recorder.sentinel.await(10, TimeUnit.SECONDS), recorder.id);
        }
        assertEquals(List.of("first", "after-join", SENTINEL), frames(recorders.get(1)));
        assertEquals(List.of("first", "not-for-1.1", "after-join", SENTINEL), frames(recorders.get(2)));
        assertEquals(List.of("after-join", SENTINEL), frames(late), "a subscriber never gets frames published before it joined");
        assertEquals(channel.subscriptionCount(), recorders.size() + 1);
    }

    @Test
    void veryLargeChannelIsSplitOverThePoolAndStillDeliversEveryFrameInOrder() throws Exception {
        List<Recorder> recorders = subscribe(FanOut.SPLIT_AT * 2 + 1, 50);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            publish(String.valueOf(i), i % 7 == 0 ? "1.5" : null);
            expected.add(String.valueOf(i));
        }
        java.util.Set<String> threads = new java.util.HashSet<>();
        for (Recorder recorder : recorders) {
            if (recorder.id.equals("1.5")) {
                continue;
            }
            assertTrue(recorder.received.await(10, TimeUnit.SECONDS), recorder.id);
            synchronized (recorder) {
                assertEquals(expected, recorder.frames, recorder.id);
                threads.add(recorder.thread);
            }
        }
        Recorder excluded = recorders.get(5);
        publish(SENTINEL, null);
        for (Recorder recorder : recorders) {
            assertTrue(recorder.sentinel.await(10, TimeUnit.SECONDS), recorder.id);
        }
        List<String> allButExcluded = new ArrayList<>(expected.stream().filter(n -> Integer.parseInt(n) % 7 != 0).toList());
        allButExcluded.add(SENTINEL);
        assertEquals(allButExcluded, frames(excluded));
        // A round is counted once all its parts are delivered: the sentinel's round last of all.
        long total = 50L * recorders.size() - 8 + recorders.size();
        Await.within(Duration.ofSeconds(10), () -> delivered.get() >= total);
        assertEquals(total, delivered.get());
        if (Runtime.getRuntime().availableProcessors() > 1) {
            // Whether a second worker steals a part depends on the scheduler; that the round was split does not.
            assertTrue(fanOut.splitRounds() > 0, "rounds were split into parts; delivered by " + threads);
        }
    }

}
