package dev.chorus.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testing.RecordingSubscriber;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ChannelRegistryTest {
    private final ChannelRegistry registry = new ChannelRegistry();

    /** A socket that keeps what it is sent (nothing here looks). */
    private static Subscriber subscriber(String id) {
        return new RecordingSubscriber(id);
    }

    private static Member member(String id) {
        return new Member(id, "\"" + id + "\"", null);
    }

    @Test
    void memberAddedOnlyOnFirstConnectionOfUserAndRemovedOnlyOnLast() {
        Subscriber tab1 = subscriber("1.1");
        Subscriber tab2 = subscriber("1.2");
        assertTrue(registry.subscribe("presence-a", tab1, member("u"), 100).firstForUser());
        assertFalse(registry.subscribe("presence-a", tab2, member("u"), 100).firstForUser());
        assertEquals(1, registry.find("presence-a").userCount());
        assertEquals(2, registry.find("presence-a").subscriptionCount());
        assertFalse(registry.unsubscribe("presence-a", tab1, member("u")).lastForUser());
        assertTrue(registry.unsubscribe("presence-a", tab2, member("u")).lastForUser());
        assertNull(registry.find("presence-a"), "empty channel removed");
    }

    @Test
    void numericAndStringIdsOfTheSameUserAreOneMember() {
        registry.subscribe("presence-a", subscriber("1"), new Member("5", "5", null), 100);
        assertFalse(registry.subscribe("presence-a", subscriber("2"), new Member("5", "\"5\"", null), 100).firstForUser());
        assertEquals("{\"presence\":{\"ids\":[5],\"hash\":{\"5\":null},\"count\":1}}",
                registry.subscribe("presence-a", subscriber("1"), new Member("5", "5", null), 100).presenceData());
    }

    @Test
    void emptyRosterHashIsAnObjectNeverAList() {
        registry.subscribe("presence-b", subscriber("1"), member("x"), 100);
        registry.unsubscribe("presence-b", subscriber("1"), member("x"));
        // Fresh channel with one member then re-read: the format of an empty hash is checked on Channel directly.
        Channel channel = new Channel("presence-c", dev.chorus.protocol.ChannelKind.PRESENCE);
        assertEquals("{\"presence\":{\"ids\":[],\"hash\":{},\"count\":0}}", channel.presenceData());
    }

    @Test
    void subscribingTwiceIsRecognisedAndCountsOnce() {
        Subscriber s = subscriber("1");
        registry.subscribe("news", s, null, 100);
        assertTrue(registry.subscribe("news", s, null, 100).alreadySubscribed());
        assertEquals(1, registry.find("news").subscriptionCount());
    }

    @Test
    void fullPresenceChannelRefusesNewUsersButNotMoreTabsAndCreatesNothing() {
        assertTrue(registry.subscribe("presence-full", subscriber("1"), member("a"), 1).firstForUser());
        assertTrue(registry.subscribe("presence-full", subscriber("2"), member("b"), 1).rosterFull());
        assertFalse(registry.subscribe("presence-full", subscriber("3"), member("a"), 1).rosterFull());
        assertTrue(registry.subscribe("presence-empty", subscriber("4"), member("z"), 0).rosterFull());
        assertNull(registry.find("presence-empty"));
    }

    @Test
    void concurrentJoinsAndLeavesNeverLoseCountOrLeaveEmptyChannels() throws InterruptedException {
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 2_000; i++) {
                    Subscriber s = subscriber(id + "." + i);
                    Member m = member("user" + (i % 3));
                    registry.subscribe("presence-hot", s, m, 100);
                    registry.unsubscribe("presence-hot", s, m);
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        assertNull(registry.find("presence-hot"));
        assertEquals(0, registry.size());
    }

    @Test
    void cachedEventOutlivesItsSubscribersUntilItExpires() {
        registry.cache("cache-a", "frame-1", 1_000, 0);
        assertEquals("frame-1", registry.cached("cache-a", 999));
        assertNull(registry.cached("cache-a", 1_000));
        registry.cache("cache-b", "frame-2", 1_000, 0);
        registry.expireCache(5_000);
        assertNull(registry.cached("cache-b", 0), "swept");
    }
}
