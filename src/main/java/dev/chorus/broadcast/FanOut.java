package dev.chorus.broadcast;

import dev.chorus.channel.Channel;
import dev.chorus.channel.Mailbox;
import dev.chorus.channel.Mailbox.Letter;
import dev.chorus.channel.Subscriber;
import dev.chorus.protocol.EncodedFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

/**
 * Moves frames from a channel's {@link Mailbox} to its subscribers.
 * <p>Small channels are delivered on the publishing thread: no hand-off, no added latency. Large ones
 * go to a pool with one thread per core, so the thread that read the event (a client socket, an HTTP
 * request, the Redis subscriber) returns to reading at once, big channels use every core, and frames
 * that arrive while a channel's fan-out runs go out in its next round together: one write per socket
 * for the whole round, which is what lets throughput grow under load instead of collapsing. A round
 * for a very large channel is split over the pool's threads (they help each other on joins, so two
 * large channels splitting at once cannot starve the pool), and the next round starts only when every
 * part is done.
 * <p>Guarantees: per channel, each subscriber gets frames in publish order, each at most once, and
 * only frames published after it joined; across channels no order is promised. Never blocks the caller.
 */
final class FanOut implements AutoCloseable {
    /** Up to this many subscribers a channel is delivered inline (tests and most channels live here). */
    static final int INLINE_LIMIT = 64;
    /** Frames taken per round at most: bounds one round's latency and the batch one socket gets. */
    private static final int MAX_ROUND = 256;

    /** Above this many subscribers a round is split over the pool's threads, in parts at least this big. */
    static final int SPLIT_AT = Integer.getInteger("chorus.fanout.split", 1_024);
    private final LongAdder splitRounds = new LongAdder();
    private static final int MIN_PART = 512;

    private volatile ForkJoinPool pool;

    /**
     * Queues the frame on the channel and delivers it now or on the pool.
     * @param maxPending the app's bound on frames queued per connection: a round stays well inside it,
     *                   so a reader that keeps up is never mistaken for one that fell behind
     * @param delivered  told how many deliveries each round made (for metrics), on the delivering thread
     */
    void publish(Channel channel, EncodedFrame frame, String except, int maxPending, IntConsumer delivered) {
        int maxRound = Math.max(1, Math.min(MAX_ROUND, maxPending / 4));
        Mailbox mailbox = channel.mailbox();
        mailbox.offer(new Letter(frame, except, channel.sequence()));
        if (!mailbox.claim()) {
            return; // the holder takes it in its next round
        }
        if (channel.subscriptionCount() <= INLINE_LIMIT) {
            run(channel, maxRound, delivered);
            return;
        }
        try {
            pool().execute(() -> run(channel, maxRound, delivered));
        } catch (RejectedExecutionException closing) {
            run(channel, maxRound, delivered);
        }
    }

    private void run(Channel channel, int maxRound, IntConsumer delivered) {
        Mailbox mailbox = channel.mailbox();
        List<Letter> round = new ArrayList<>();
        do {
            try {
                while (true) {
                    round.clear();
                    mailbox.drainTo(round, maxRound);
                    if (round.isEmpty()) {
                        break;
                    }
                    delivered.accept(deliver(channel, round));
                }
            } finally {
                mailbox.release();
            }
            // A frame offered between the last drain and the release must not wait for the next publish.
        } while (!mailbox.isEmpty() && mailbox.claim());
    }

    /** Rounds split into parts so far: which threads take the parts is the pool's affair, this is ours. */
    long splitRounds() {
        return splitRounds.sum();
    }

    private int deliver(Channel channel, List<Letter> round) {
        ForkJoinPool current = pool;
        if (current == null || current.getParallelism() < 2 || channel.subscriptionCount() <= SPLIT_AT
                || !(Thread.currentThread() instanceof ForkJoinWorkerThread worker) || worker.getPool() != current) {
            return deliver(channel.seats(), round);
        }
        List<Channel.Seat> seats = new ArrayList<>(channel.seats());
        int parts = Math.max(1, Math.min(current.getParallelism(), seats.size() / MIN_PART));
        List<RecursiveTask<Integer>> tasks = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            List<Channel.Seat> part = seats.subList(seats.size() * i / parts, seats.size() * (i + 1) / parts);
            tasks.add(new RecursiveTask<>() {
                @Override
                protected Integer compute() {
                    return deliver(part, round);
                }
            });
        }
        if (parts > 1) {
            splitRounds.increment();
        }
        int delivered = 0;
        for (RecursiveTask<Integer> task : ForkJoinTask.invokeAll(tasks)) {
            delivered += task.join();
        }
        return delivered;
    }

    private static int deliver(Iterable<Channel.Seat> seats, List<Letter> round) {
        int count = round.size();
        long oldest = Long.MAX_VALUE;
        boolean excluding = false;
        EncodedFrame[] frames = new EncodedFrame[count];
        for (int i = 0; i < count; i++) {
            Letter letter = round.get(i);
            frames[i] = letter.frame();
            oldest = Math.min(oldest, letter.sequence());
            excluding |= letter.except() != null;
        }
        EncodedFrame single = count == 1 ? frames[0] : null;
        List<EncodedFrame> all = List.of(frames);
        int delivered = 0;
        for (Channel.Seat seat : seats) {
            Subscriber subscriber = seat.subscriber();
            if (!excluding && seat.since() <= oldest) {
                // The common case: every frame of the round for everyone, the same objects for all.
                if (single != null) {
                    subscriber.send(single);
                } else {
                    subscriber.send(all);
                }
                delivered += count;
            } else {
                delivered += deliverFiltered(seat, round);
            }
        }
        return delivered;
    }

    private static int deliverFiltered(Channel.Seat seat, List<Letter> round) {
        Subscriber subscriber = seat.subscriber();
        List<EncodedFrame> mine = null;
        EncodedFrame first = null;
        for (Letter letter : round) {
            if (seat.since() > letter.sequence()
                    || letter.except() != null && letter.except().equals(subscriber.socketId())) {
                continue;
            }
            if (first == null) {
                first = letter.frame();
            } else {
                if (mine == null) {
                    mine = new ArrayList<>(round.size());
                    mine.add(first);
                }
                mine.add(letter.frame());
            }
        }
        if (mine != null) {
            subscriber.send(mine);
            return mine.size();
        }
        if (first != null) {
            subscriber.send(first);
            return 1;
        }
        return 0;
    }

    private ForkJoinPool pool() {
        ForkJoinPool current = pool;
        if (current == null) {
            synchronized (this) {
                current = pool;
                if (current == null) {
                    AtomicInteger counter = new AtomicInteger();
                    // asyncMode: channels' rounds are taken in the order they were queued.
                    current = new ForkJoinPool(Runtime.getRuntime().availableProcessors(), forkJoinPool -> {
                        ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(forkJoinPool);
                        thread.setName("chorus-fanout-" + counter.incrementAndGet());
                        thread.setDaemon(true);
                        // The default factory gives the system class loader; in a WAR, code here needs the WAR's.
                        thread.setContextClassLoader(FanOut.class.getClassLoader());
                        return thread;
                    }, null, true);
                    pool = current;
                }
            }
        }
        return current;
    }

    /** Stops the pool threads; rounds already queued still run. Later publishes deliver inline. */
    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
