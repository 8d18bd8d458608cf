package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.pusher.rest.Pusher;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Channels big enough to be delivered by the fan-out pool (over 64 subscribers) and to be split over
 * its threads (over 1,024), on real sockets: every frame, in order, never the publisher's own, and a
 * subscriber that joins mid-stream gets an in-order tail and nothing published before it joined.
 */
class LargeChannelIT {
    private static final String KEY = "fanout-key";
    static int port;
    static Pusher sdk;

    @BeforeAll
    static void server() throws Exception {
        port = TestServer.shared().port;
        sdk = Wire.sdk("1007", KEY, "fanout-secret");
        sdk.setHost("127.0.0.1:" + port);
        sdk.setEncrypted(false);
    }

    private static Wire.Client subscribed(String channel) throws Exception {
        Wire.Client client = Wire.open(port, KEY);
        client.send(channel.startsWith("private-") ? Wire.subscribe(channel, Wire.auth(sdk, client.socketId(), channel))
                : Wire.subscribe(channel));
        assertEquals(Wire.succeeded(channel), client.next());
        return client;
    }

    private static int number(String frame) throws Exception {
        String data = Wire.JSON.readTree(frame).get("data").asText();
        return Wire.JSON.readTree(data.startsWith("{") ? data : frame).path("n").asInt(-1);
    }

    @Test
    void everySubscriberOfALargeChannelGetsEveryClientEventInOrderAndThePublisherNone() throws Exception {
        String channel = "private-large-client";
        List<Wire.Client> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                clients.add(subscribed(channel));
            }
            Wire.Client publisher = clients.get(0);
            for (int n = 0; n < 60; n++) {
                publisher.send("{\"event\":\"client-n\",\"channel\":\"" + channel + "\",\"data\":{\"n\":" + n + "}}");
            }
            for (Wire.Client client : clients.subList(1, clients.size())) {
                for (int n = 0; n < 60; n++) {
                    assertEquals("{\"event\":\"client-n\",\"channel\":\"" + channel + "\",\"data\":{\"n\":" + n + "}}",
                            client.next());
                }
            }
            assertNull(quietFor(publisher, 300), "the publisher does not get its own client events");
        } finally {
            clients.forEach(Wire.Client::close);
        }
    }

    @Test
    void aSubscriberJoiningAVeryLargeChannelMidStreamGetsAnInOrderTailOnly() throws Exception {
        String channel = "large-http";
        List<Wire.Client> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 1_100; i++) {
                clients.add(subscribed(channel));
            }
            Wire.Client late = null;
            for (int n = 0; n < 40; n++) {
                assertEquals(200, sdk.trigger(channel, "e", Map.of("n", n)).getHttpStatus());
                if (n == 20) {
                    late = subscribed(channel);
                }
            }
            for (Wire.Client client : List.of(clients.get(0), clients.get(549), clients.get(1_099))) {
                for (int n = 0; n < 40; n++) {
                    assertEquals(n, number(client.next()));
                }
            }
            // 21 is the first event published after its subscription_succeeded: nothing earlier, nothing missed.
            for (int n = 21; n < 40; n++) {
                assertEquals(n, number(late.next()));
            }
            late.close();
        } finally {
            clients.forEach(Wire.Client::close);
        }
    }

    /** The next text within the time, or null when none came. */
    private static String quietFor(Wire.Client client, int millis) throws Exception {
        try {
            return client.ws().nextText(millis);
        } catch (SocketTimeoutException e) {
            return null;
        }
    }
}
