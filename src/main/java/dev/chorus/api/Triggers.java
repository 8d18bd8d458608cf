package dev.chorus.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.app.App;
import dev.chorus.broadcast.BackendRate;
import dev.chorus.broadcast.Broadcaster;
import dev.chorus.host.TriggerEntry;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.RequestPaths;
import java.util.ArrayList;
import java.util.List;

/**
 * The one trigger service: reading, checking, rate-limiting and publishing the events of {@code POST
 * /events} and {@code /batch_events}. Every entry calls it: the launcher's handler in front of Jetty and
 * the servlet filter {@link TriggerFastPath} through {@link #publishPlain} (signature included), and
 * {@link AppsResource} through {@link #trigger} and {@link #batch} after {@link SignedRequestFilter}.
 * Every refusal is an {@link ApiException} naming the field and the limit.
 * <p>Threading: thread-safe; on a single node it may run on Jetty's selector thread, and nothing here
 * blocks there (publishing without Redis never does).
 */
public final class Triggers {
    /** The route template the fast paths count their answers under, as JAX-RS names it. */
    static final String ROUTE = "apps/{appId}/events";

    private final SignedRequests signed;
    private final BackendRate rate;
    private final Broadcaster broadcaster;
    private final Metrics metrics;

    public Triggers(SignedRequests signed, BackendRate rate, Broadcaster broadcaster, Metrics metrics) {
        this.signed = signed;
        this.rate = rate;
        this.broadcaster = broadcaster;
        this.metrics = metrics;
    }

    /** What the web app offers a host that serves triggers in front of it. */
    public TriggerEntry entry() {
        return this::publishPlain;
    }

    /**
     * A plain trigger, whole: the path names the app, the request is signed, the body is one valid event
     * without {@code info}, within the rate. Published and counted as answered 200 {@code {}}.
     * @param path the path without the route prefix
     * @param rawQuery the query as received, or null
     * @return true when published; false when the request must go to JAX-RS, which answers it (a refusal
     *     with its reason, {@code info}, a path that is not a trigger) exactly as if no fast path existed
     */
    public boolean publishPlain(String path, String rawQuery, byte[] body) {
        String appId = RequestPaths.triggerApp(path);
        if (appId == null || body.length > signed.maxBody()) {
            return false;
        }
        try {
            App app = signed.authenticate(appId, "POST", path, RequestPaths.query(rawQuery), body);
            EventRequests.Event event = EventRequests.event(app, EventRequests.parse(body), false);
            if (!event.info().isEmpty()) {
                return false;
            }
            // Over the rate: JAX-RS answers the 429 (it counts again, but the second is already over its limit).
            // Checked inline so a limit that is off costs one comparison and no allocation here.
            if (app.limits().maxBackendEventsPerSecond() >= 0) {
                limitEvents(app, List.of(event));
            }
            publish(app, event);
        } catch (ApiException | IllegalArgumentException refused) {
            return false;
        }
        metrics.httpRequest(ROUTE, 200);
        return true;
    }

    /** {@code POST /events} of an authenticated request: the event, published. */
    EventRequests.Event trigger(App app, byte[] body) {
        EventRequests.Event event = EventRequests.event(app, EventRequests.parse(body), false);
        limitEvents(app, List.of(event));
        publish(app, event);
        return event;
    }

    /** {@code POST /batch_events}: every event checked first, so a batch is published whole or not at all. */
    List<EventRequests.Event> batch(App app, byte[] body) {
        JsonNode items = EventRequests.parse(body).get("batch");
        if (items == null || !items.isArray()) {
            throw ApiException.badRequest("batch is required: a list of events");
        }
        if (items.size() > app.events().maxBatchSize()) {
            throw ApiException.badRequest("batch has " + items.size() + " events; the limit is " + app.events().maxBatchSize());
        }
        List<EventRequests.Event> events = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            try {
                events.add(EventRequests.event(app, items.get(i), true));
            } catch (ApiException e) {
                throw new ApiException(e.status(), "batch[" + i + "]: " + e.getMessage());
            }
        }
        limitEvents(app, events);
        events.forEach(event -> publish(app, event));
        return events;
    }

    /**
     * {@code max_backend_events_per_second}: counted as soketi does, one per channel each event goes to
     * (a batch adds up its events), checked after validation so a refused body costs nothing.
     */
    private void limitEvents(App app, List<EventRequests.Event> events) {
        int limit = app.limits().maxBackendEventsPerSecond();
        if (limit < 0) {
            return;
        }
        int points = 0;
        for (EventRequests.Event event : events) {
            points += Math.max(1, event.channels().size());
        }
        if (!rate.allow(app, BackendRate.Kind.EVENTS, points)) {
            throw ApiException.tooMany("events", limit, BackendRate.Kind.EVENTS.setting());
        }
    }

    private void publish(App app, EventRequests.Event event) {
        for (String channel : event.channels()) {
            broadcaster.publish(app, channel, event.name(), event.data(), event.socketId());
        }
    }
}
