package dev.chorus.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FramesTest {
    @Test
    void errorDataIsAJsonString() {
        assertEquals("{\"event\":\"pusher:error\",\"data\":\"{\\\"code\\\":4001,\\\"message\\\":\\\"Application does not exist\\\"}\"}",
                PusherError.APP_NOT_FOUND.frame());
    }

    @Test
    void connectionEstablishedCarriesSocketIdAndTimeoutAsAnInteger() {
        assertEquals("{\"event\":\"pusher:connection_established\",\"data\":\"{\\\"socket_id\\\":\\\"1.2\\\","
                + "\\\"activity_timeout\\\":30}\"}", Frames.connectionEstablished("1.2", 30));
    }

    @Test
    void serverEventCarriesThePublishersStringVerbatim() {
        assertEquals("{\"event\":\"NewEvent\",\"data\":\"{\\\"a\\\":\\\"\\u00e9/\\\"}\",\"channel\":\"c\"}",
                Frames.event("NewEvent", "c", "{\"a\":\"\u00e9/\"}").replace("\u00e9", "\\u00e9"));
    }

    @Test
    void clientEventIsRebuiltFromItsParts() {
        assertEquals("{\"event\":\"client-x\",\"channel\":\"presence-a\",\"data\":{\"k\":1},\"user_id\":7}",
                Frames.clientEvent("client-x", "presence-a", "{\"k\":1}", "7"));
    }

    @Test
    void memberEventsKeepTheUserIdType() {
        assertEquals("{\"event\":\"pusher_internal:member_removed\",\"data\":\"{\\\"user_id\\\":5}\",\"channel\":\"presence-a\"}",
                Frames.memberRemoved("presence-a", "5"));
        assertEquals("{\"event\":\"pusher_internal:member_added\",\"data\":\"{\\\"user_id\\\":\\\"5\\\",\\\"user_info\\\":"
                + "{\\\"n\\\":1}}\",\"channel\":\"presence-a\"}", Frames.memberAdded("presence-a", "\"5\"", "{\"n\":1}"));
    }

    @Test
    void cacheMissHasNoData() {
        assertEquals("{\"event\":\"pusher:cache_miss\",\"channel\":\"cache-a\"}", Frames.cacheMiss("cache-a"));
    }

    @Test
    void inboundDataStringIsDecodedForPusherEventsOnly() throws Exception {
        InboundFrame subscribe = InboundFrame.parse("{\"event\":\"pusher:subscribe\",\"data\":\"{\\\"channel\\\":\\\"a\\\"}\"}");
        assertEquals("a", subscribe.dataString("channel"));
        InboundFrame client = InboundFrame.parse("{\"event\":\"client-a\",\"channel\":\"private-a\",\"data\":\"{\\\"x\\\":1}\"}");
        assertEquals("\"{\\\"x\\\":1}\"", client.data().toString());
    }

    @Test
    void malformedFramesAreRejected() {
        for (String bad : new String[] {"", "x", "[]", "{}", "{\"event\":1}", "{\"event\":\"a\",\"channel\":1}",
                "{\"event\":\"pusher:subscribe\",\"data\":\"nope\"}"}) {
            assertThrows(InboundFrame.MalformedFrameException.class, () -> InboundFrame.parse(bad), bad);
        }
    }
}
