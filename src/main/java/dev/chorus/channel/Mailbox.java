package dev.chorus.channel;

import dev.chorus.protocol.EncodedFrame;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A channel's frames waiting for fan-out, in publish order.
 * <p>Threading: any thread may {@link #offer}; at most one thread at a time holds the mailbox
 * ({@link #claim}/{@link #release}) and delivers, which is what keeps one channel's frames in order
 * for every subscriber. Whoever holds it takes everything queued at once, so frames that pile up
 * while a fan-out is running reach each subscriber together (one write per socket, not one per frame).
 */
public final class Mailbox {
    private final ConcurrentLinkedQueue<Letter> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean held = new AtomicBoolean();

    /**
     * @param sequence the channel's {@link Channel#sequence()} when the frame was published: it goes to
     *                 the subscribers that had joined by then, never to later ones
     * @param except   a socket id that must not receive it, or null
     */
    public record Letter(EncodedFrame frame, String except, long sequence) {
    }

    public void offer(Letter letter) {
        queue.offer(letter);
    }

    /** @return true when the caller now holds the mailbox and must deliver, then {@link #release} */
    public boolean claim() {
        return !held.get() && held.compareAndSet(false, true);
    }

    public void release() {
        held.set(false);
    }

    public boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Moves up to {@code max} letters into {@code into}, oldest first; only the holder calls this. */
    public void drainTo(List<Letter> into, int max) {
        Letter next;
        while (into.size() < max && (next = queue.poll()) != null) {
            into.add(next);
        }
    }
}
