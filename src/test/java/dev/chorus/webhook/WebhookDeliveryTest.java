package dev.chorus.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.protocol.Webhooks;
import dev.chorus.testing.Await;
import dev.chorus.testing.TestApps;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Per-URL concurrency, the bounded queue, retries inside the bound and outage logging, against a real loopback receiver. */
class WebhookDeliveryTest {
    private LoopbackReceiver receiver;
    private HttpWebhookEmitter emitter;
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    /** The webhook URLs this test used. */
    private final List<URI> urls = new CopyOnWriteArrayList<>();
    private final Logger laneLog = Logger.getLogger(DeliveryLane.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() throws Exception {
        receiver = new LoopbackReceiver();
        laneLog.addHandler(capture);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (emitter != null) {
                emitter.close();
                // close() hands what was still buffered to the lanes and returns: let those requests end against
                // this test's receiver, or they fail against a stopped one and log "failing" into the next test.
                for (URI url : urls) {
                    await("the last requests to " + url, () -> emitter.inFlight(url) == 0);
                }
            }
        } finally {
            laneLog.removeHandler(capture);
            receiver.close();
        }
    }

    /** The test app, with one webhook to {@code url}. */
    private App app(URI url) {
        urls.add(url);
        return TestApps.app().clientEventRate(0).maxPendingFrames(100)
                .webhooks(List.of(new App.Webhook(url, Webhooks.ALL, null))).build();
    }

    /** Client events are never coalesced: with one event per batch, each makes one POST. */
    private static void clientEvents(HttpWebhookEmitter emitter, App app, int count) {
        for (int i = 0; i < count; i++) {
            emitter.emit(app, Webhooks.clientEvent("private-c", "client-e", "{\"i\":" + i + "}", "1.1", null));
        }
    }

    private static void await(String what, Await.Condition condition) throws Exception {
        Await.until(what, condition);
    }

    @Test
    void noMoreThanTheConcurrencyLimitIsInFlightPerUrlAndTheRestWaitsInABoundedQueue() throws Exception {
        receiver.holdRequests();
        URI url = receiver.url("/hooks");
        emitter = new HttpWebhookEmitter(new WebhookLimits(2, 1_000, 3, 1, 1, Duration.ofMillis(10), Duration.ofSeconds(30)));
        App app = app(url);
        clientEvents(emitter, app, 10);
        await("two requests held by the receiver", () -> receiver.inFlight.get() == 2);
        await("the batches beyond slots and queue dropped", () -> emitter.dropped() == 5);
        assertEquals(2, emitter.inFlight(url));
        receiver.release();
        await("the queued batches delivered", () -> receiver.total.get() == 5 && emitter.inFlight(url) == 0);
        assertEquals(2, receiver.maxInFlight.get());
        assertEquals(5, emitter.dropped());
    }

    @Test
    void aBatchWaitingForItsRetryKeepsItsSlotSoRetriesNeverAddRequests() throws Exception {
        receiver.status.set(500);
        URI url = receiver.url("/failing");
        emitter = new HttpWebhookEmitter(new WebhookLimits(2, 1_000, 2, 1, 3, Duration.ofMillis(30), Duration.ofSeconds(5)));
        clientEvents(emitter, app(url), 6);
        await("every batch given up", () -> emitter.dropped() == 6 && emitter.inFlight(url) == 0);
        // 2 in slots + 2 queued, 3 tries each; the other 2 never got in.
        assertEquals(12, receiver.total.get());
        assertTrue(receiver.maxInFlight.get() <= 2, "at most 2 at once, saw " + receiver.maxInFlight.get());
    }

    @Test
    void aFailingReceiverIsLoggedOnceWhenItFailsAndOnceWhenItAnswersAgainWithoutItsQueryOrAStackTrace() throws Exception {
        receiver.status.set(500);
        URI url = receiver.url("/outage?token=s3cret");
        emitter = new HttpWebhookEmitter(new WebhookLimits(2, 1_000, 1, 1, 2, Duration.ofMillis(20), Duration.ofSeconds(5)));
        App app = app(url);
        for (int round = 0; round < 5; round++) {
            clientEvents(emitter, app, 4);
            int sent = receiver.total.get();
            await("more failed requests", () -> receiver.total.get() > sent);
        }
        // Recover once the outage has visibly dropped batches; retries of others may still be under way, and
        // their late failures must not count as a new outage.
        await("batches dropped during the outage", () -> emitter.dropped() >= 5);
        receiver.status.set(200);
        clientEvents(emitter, app, 1);
        await("the recovery line", () -> logged.stream().anyMatch(r -> r.getLevel() == Level.INFO));
        emitter.flush(); // what the outage rounds left in the buffer goes out now, not after the checks below
        await("every batch sent or given up", () -> emitter.inFlight(url) == 0);
        long droppedInOutage = emitter.dropped();
        assertTrue(droppedInOutage >= 5, "dropped " + droppedInOutage);

        List<LogRecord> warnings = logged.stream().filter(r -> r.getLevel() == Level.WARNING).toList();
        assertEquals(1, warnings.size(), logged.stream().map(LogRecord::getMessage).toList().toString());
        String warning = warnings.get(0).getMessage();
        assertTrue(warning.contains("http://127.0.0.1:") && warning.contains("/outage") && warning.contains("HTTP 500"), warning);
        assertFalse(warning.contains("s3cret"), warning);
        List<LogRecord> infos = logged.stream().filter(r -> r.getLevel() == Level.INFO).toList();
        assertEquals(1, infos.size());
        Matcher figure = Pattern.compile("\\((\\d+) event\\(s\\)\\) dropped during the outage")
                .matcher(infos.get(0).getMessage());
        assertTrue(figure.find(), infos.get(0).getMessage());
        // Batches refused before the first failure came back were not yet part of the outage.
        long reported = Long.parseLong(figure.group(1));
        assertTrue(reported > 0 && reported <= droppedInOutage, reported + " of " + droppedInOutage);
        assertFalse(infos.get(0).getMessage().contains("s3cret"));
        logged.forEach(r -> assertNull(r.getThrown(), "no stack trace"));
    }

    @Test
    void anUnreachableReceiverIsNamedWithTheReasonInOneLine() throws Exception {
        URI url;
        try (ServerSocket closed = new ServerSocket(0)) {
            url = URI.create("http://127.0.0.1:" + closed.getLocalPort() + "/gone?key=s3cret");
        }
        emitter = new HttpWebhookEmitter(new WebhookLimits(2, 1_000, 10, 1, 2, Duration.ofMillis(20), Duration.ofSeconds(5)));
        clientEvents(emitter, app(url), 8);
        await("every batch given up", () -> emitter.dropped() == 8);
        List<LogRecord> warnings = logged.stream().filter(r -> r.getLevel() == Level.WARNING).toList();
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).getMessage().contains("ConnectException"), warnings.get(0).getMessage());
        assertFalse(warnings.get(0).getMessage().contains("s3cret"));
        assertNull(warnings.get(0).getThrown());
    }

    @Test
    void churnOnOneChannelAcrossFlushesSendsOnlyAFewEvents() throws Exception {
        URI url = receiver.url("/churn");
        emitter = new HttpWebhookEmitter(WebhookLimits.withConcurrency(2));
        App app = app(url);
        for (int i = 0; i < 25_000; i++) {
            emitter.emit(app, Webhooks.channelEvent(Webhooks.CHANNEL_OCCUPIED, "churn"));
            emitter.emit(app, Webhooks.subscriptionCount("churn", 1));
            emitter.emit(app, Webhooks.channelEvent(Webhooks.CHANNEL_VACATED, "churn"));
            emitter.emit(app, Webhooks.subscriptionCount("churn", 0));
        }
        emitter.flush();
        await("the last flush delivered", () -> emitter.inFlight(url) == 0);
        // Each flush that cut a pair in two sends at most 2 events; a burst lasts a handful of flushes.
        assertTrue(receiver.total.get() <= 20, "POSTs: " + receiver.total.get());
        assertEquals(0, emitter.dropped());
        assertEquals(Set.of(), Set.copyOf(logged.stream().map(LogRecord::getMessage).toList()));
    }
}
