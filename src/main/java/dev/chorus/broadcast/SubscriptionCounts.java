package dev.chorus.broadcast;

import dev.chorus.app.App;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Coalesces Pusher's subscription counting. A subscribe or unsubscribe only marks its channel pending
 * (one map put, nothing else on that path); every {@link #INTERVAL} the pending channels are taken and
 * each gets one count frame, built from the count at that moment. So a channel's subscribers hear at
 * most one count per interval however many joined, and since a change always leaves its channel
 * pending until a later flush, the last count anyone hears is the final one.
 * <p>Two kinds of mark: a change on this node (the other nodes must be told, once per flush) and a
 * change another node told us of (only this node's subscribers need the new total).
 */
final class SubscriptionCounts implements AutoCloseable {
    /** At most four count frames per second per channel: live enough for a counter, cheap under a join storm. */
    static final Duration INTERVAL = Duration.ofMillis(250);

    /** What a flush does for one pending channel. */
    interface Sender {
        /** @param changedHere true when this node's own subscriptions changed: the other nodes must hear of it */
        void sendCount(App app, String channel, boolean changedHere);
    }

    private record Key(String app, String channel) {
    }

    private final Map<Key, App> changedHere = new ConcurrentHashMap<>();
    private final Map<Key, App> changedElsewhere = new ConcurrentHashMap<>();
    private final Sender sender;
    private final Duration interval;
    private volatile ScheduledExecutorService timer;
    private volatile boolean closed;

    /** @param interval how often pending channels are flushed; {@link Duration#ZERO}: only by {@link #flush()} (tests) */
    SubscriptionCounts(Sender sender, Duration interval) {
        this.sender = sender;
        this.interval = interval;
    }

    /** This node's subscriptions of the channel changed. */
    void changedHere(App app, String channel) {
        changedHere.put(new Key(app.id(), channel), app);
        start();
    }

    /** Another node's subscriptions of the channel changed. */
    void changedElsewhere(App app, String channel) {
        changedElsewhere.put(new Key(app.id(), channel), app);
        start();
    }

    /** Sends one count per pending channel. A channel marked again meanwhile stays pending for the next flush. */
    void flush() {
        for (Map.Entry<Key, App> entry : changedHere.entrySet()) {
            // Removed before sending: a change after this point marks it again and is sent next time.
            if (changedHere.remove(entry.getKey(), entry.getValue())) {
                changedElsewhere.remove(entry.getKey());
                send(entry.getValue(), entry.getKey().channel(), true);
            }
        }
        for (Map.Entry<Key, App> entry : changedElsewhere.entrySet()) {
            if (changedElsewhere.remove(entry.getKey(), entry.getValue())) {
                send(entry.getValue(), entry.getKey().channel(), false);
            }
        }
    }

    private void send(App app, String channel, boolean here) {
        try {
            sender.sendCount(app, channel, here);
        } catch (RuntimeException e) {
            // One channel's failure (the store unreachable mid-call) must not stop the others' counts.
            System.getLogger(SubscriptionCounts.class.getName()).log(System.Logger.Level.WARNING,
                    "subscription count for " + channel + " not sent", e);
        }
    }

    /** The timer starts with the first change, so apps without subscription counting never pay for a thread. */
    private void start() {
        if (timer != null || closed || interval.isZero()) {
            return;
        }
        synchronized (this) {
            if (timer != null || closed) {
                return;
            }
            ScheduledExecutorService created = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "chorus-subscription-counts");
                thread.setDaemon(true);
                // In a WAR, code run here needs the WAR's class loader, not the one that made the thread.
                thread.setContextClassLoader(SubscriptionCounts.class.getClassLoader());
                return thread;
            });
            long millis = interval.toMillis();
            created.scheduleWithFixedDelay(this::flush, millis, millis, TimeUnit.MILLISECONDS);
            timer = created;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
