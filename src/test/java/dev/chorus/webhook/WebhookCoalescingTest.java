package dev.chorus.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.protocol.Webhooks;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The coalescing rules of one flush, on the buffer itself. */
class WebhookCoalescingTest {
    private final CoalescingBuffer buffer = new CoalescingBuffer(1_000);

    private static ObjectNode occupied(String channel) {
        return Webhooks.channelEvent(Webhooks.CHANNEL_OCCUPIED, channel);
    }

    private static ObjectNode vacated(String channel) {
        return Webhooks.channelEvent(Webhooks.CHANNEL_VACATED, channel);
    }

    private static ObjectNode count(String channel, long count) {
        return Webhooks.subscriptionCount(channel, count);
    }

    private static ObjectNode added(String channel, String user) {
        return Webhooks.member(Webhooks.MEMBER_ADDED, channel, user);
    }

    private static ObjectNode removed(String channel, String user) {
        return Webhooks.member(Webhooks.MEMBER_REMOVED, channel, user);
    }

    /** What a subscribe on an empty channel and the unsubscribe after it emit (as Membership does). */
    private void subscribeAndUnsubscribe(String channel) {
        buffer.add(occupied(channel));
        buffer.add(count(channel, 1));
        buffer.add(vacated(channel));
        buffer.add(count(channel, 0));
    }

    private List<String> drained() {
        return buffer.drain().stream().map(e -> Webhooks.name(e) + " " + Webhooks.channel(e)
                + (e.has("user_id") ? " " + Webhooks.userId(e) : "")
                + (e.has("subscription_count") ? " " + Webhooks.countOf(e) : "")).toList();
    }

    @Test
    void occupiedThenVacatedOfOneChannelCancelAndSoDoesItsCountBackToZero() {
        subscribeAndUnsubscribe("news");
        assertEquals(List.of(), drained());
    }

    @Test
    void twentyFiveThousandSubscribeUnsubscribePairsOnOneChannelSendNothingForIt() {
        for (int i = 0; i < 25_000; i++) {
            subscribeAndUnsubscribe("churn");
        }
        assertEquals(0, buffer.size());
        assertEquals(List.of(), drained());
    }

    @Test
    void vacatedThenOccupiedCancelButTheLastCountIsStillSent() {
        buffer.add(vacated("busy"));
        buffer.add(count("busy", 0));
        buffer.add(occupied("busy"));
        buffer.add(count("busy", 1));
        buffer.add(count("busy", 2));
        assertEquals(List.of("subscription_count busy 2"), drained());
    }

    @Test
    void onlyTheLastSubscriptionCountOfAChannelIsKeptPerChannel() {
        buffer.add(count("a", 3));
        buffer.add(count("b", 7));
        buffer.add(count("a", 4));
        buffer.add(count("a", 5));
        assertEquals(List.of("subscription_count b 7", "subscription_count a 5"), drained());
    }

    @Test
    void aChannelThatEndsTheFlushOccupiedReportsOccupiedAndItsLastCount() {
        subscribeAndUnsubscribe("late");
        buffer.add(occupied("late"));
        buffer.add(count("late", 1));
        assertEquals(List.of("channel_occupied late", "subscription_count late 1"), drained());
    }

    @Test
    void memberAddedAndRemovedForTheSameUserAndChannelCancelInEitherOrder() {
        buffer.add(added("presence-room", "ann"));
        buffer.add(removed("presence-room", "ann"));
        buffer.add(removed("presence-room", "bob"));
        buffer.add(added("presence-room", "bob"));
        assertEquals(List.of(), drained());
    }

    @Test
    void membersOfOtherUsersOrChannelsDoNotCancel() {
        buffer.add(added("presence-room", "ann"));
        buffer.add(removed("presence-room", "bob"));
        buffer.add(removed("presence-hall", "ann"));
        assertEquals(List.of("member_added presence-room ann", "member_removed presence-room bob",
                "member_removed presence-hall ann"), drained());
    }

    @Test
    void eventsThatSurviveKeepTheirOrderAndOtherKindsPassUntouched() {
        buffer.add(occupied("x"));
        buffer.add(count("x", 1));
        buffer.add(added("presence-x", "ann"));
        buffer.add(Webhooks.clientEvent("x", "client-a", "{}", "1.1", null));
        buffer.add(Webhooks.channelEvent(Webhooks.CACHE_MISS, "cache-x"));
        buffer.add(Webhooks.clientEvent("x", "client-a", "{}", "1.1", null));
        buffer.add(count("x", 2));
        assertEquals(List.of("channel_occupied x", "member_added presence-x ann", "client_event x", "cache_miss cache-x",
                "client_event x", "subscription_count x 2"), drained());
    }

    @Test
    void aCancelledPairDoesNotHideTheNextOccupiedAndVacated() {
        subscribeAndUnsubscribe("again");
        assertEquals(List.of(), drained());
        buffer.add(occupied("again"));
        buffer.add(count("again", 1));
        assertEquals(List.of("channel_occupied again", "subscription_count again 1"), drained());
        buffer.add(vacated("again"));
        buffer.add(count("again", 0));
        assertEquals(List.of("channel_vacated again", "subscription_count again 0"), drained());
    }

    @Test
    void aFullBufferDropsNewEventsButStillCancelsPendingOnes() {
        CoalescingBuffer small = new CoalescingBuffer(2);
        assertEquals(CoalescingBuffer.Outcome.KEPT, small.add(occupied("a")));
        assertEquals(CoalescingBuffer.Outcome.KEPT, small.add(Webhooks.channelEvent(Webhooks.CACHE_MISS, "c")));
        assertEquals(CoalescingBuffer.Outcome.DROPPED, small.add(occupied("b")));
        assertEquals(CoalescingBuffer.Outcome.COALESCED, small.add(vacated("a")));
        assertEquals(1, small.size());
    }
}
