package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pusher.rest.Pusher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 200 subscribers of which one never reads: the other 199 get every event, and the stuck one is
 * closed with 4100 once its bounded queue overflows, instead of growing the server's heap.
 */
class SlowConsumerIT {
    private static final String CHANNEL = "private-firehose";
    private static final int EVENTS = 700;
    private static final int FAST = 199;

    @Test
    void oneSubscriberThatNeverReadsCannotHoldUpTheOther199AndIsClosedWith4100() throws Exception {
        int port = TestServer.shared().port;
        Pusher sdk = Wire.sdk("1007", "fanout-key", "fanout-secret");
        List<Wire.Client> fast = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        AtomicInteger received = new AtomicInteger();
        CountDownLatch allDone = new CountDownLatch(FAST);
        try (Wire.Client slow = openSubscribed(port, sdk, 4096); Wire.Client publisher = openSubscribed(port, sdk, 0)) {
            for (int i = 0; i < FAST; i++) {
                Wire.Client client = openSubscribed(port, sdk, 0);
                fast.add(client);
                Thread reader = new Thread(() -> {
                    int mine = 0;
                    try {
                        while (mine < EVENTS) {
                            RawWebSocket.Frame frame = client.ws().readFrame(60_000);
                            if (frame.opcode() == RawWebSocket.TEXT && frame.text().startsWith("{\"event\":\"client-burst\"")) {
                                mine++;
                                received.incrementAndGet();
                            } else if (frame.opcode() == RawWebSocket.CLOSE) {
                                return;
                            }
                        }
                        allDone.countDown();
                    } catch (Exception e) {
                        // counted as missing below
                    }
                }, "fast-reader-" + i);
                reader.setDaemon(true);
                reader.start();
                readers.add(reader);
            }
            String payload = "x".repeat(16_000);
            for (int i = 0; i < EVENTS; i++) {
                publisher.send("{\"event\":\"client-burst\",\"channel\":\"" + CHANNEL + "\",\"data\":{\"n\":" + i
                        + ",\"pad\":\"" + payload + "\"}}");
            }
            // A hang guard, not a timing assertion: every fast reader must get every event.
            assertTrue(allDone.await(120, TimeUnit.SECONDS), "fast subscribers received " + received.get() + " of "
                    + EVENTS * FAST);
            assertEquals(EVENTS * FAST, received.get());

            List<String> gotBeforeClose = new ArrayList<>();
            RawWebSocket.Frame close = slow.ws().awaitClose(30_000, gotBeforeClose);
            assertEquals(4100, close.closeCode(), "slow consumer closed as over capacity");
            assertTrue(gotBeforeClose.size() < EVENTS, "the slow consumer did not get everything queued for it: "
                    + gotBeforeClose.size());
        } finally {
            fast.forEach(Wire.Client::close);
        }
    }

    private static Wire.Client openSubscribed(int port, Pusher sdk, int receiveBuffer) throws Exception {
        RawWebSocket ws = RawWebSocket.connect(port, "/app/fanout-key?protocol=7", java.util.Map.of(), receiveBuffer);
        String established = ws.nextText(5_000);
        String socketId = Wire.JSON.readTree(Wire.JSON.readTree(established).get("data").asText()).get("socket_id").asText();
        Wire.Client client = new Wire.Client(ws, socketId);
        client.send(Wire.subscribe(CHANNEL, Wire.auth(sdk, socketId, CHANNEL)));
        assertEquals(Wire.succeeded(CHANNEL), client.next());
        return client;
    }
}
