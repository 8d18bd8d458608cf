package dev.chorus.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Chorus's meters, in Prometheus form through Micrometer. Counters are looked up once per app and
 * tag set and then cached, so the hot path pays one add per fan-out (not per recipient), never a
 * registry lookup. Gauges are read at scrape time from suppliers the composition root gives.
 * Thread-safe.
 */
public final class Metrics {
    /** A registry-free stand-in for unit tests and for code paths that must not depend on metrics. */
    public static final Metrics NONE = new Metrics(false);

    private final PrometheusMeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    /** The per-message counters, keyed by app id alone: no key string is built on the hot path. */
    private final Map<String, Counter> received = new ConcurrentHashMap<>();
    private final Map<String, Counter> sent = new ConcurrentHashMap<>();

    public Metrics() {
        this(true);
    }

    private Metrics(boolean enabled) {
        if (!enabled) {
            registry = null;
            return;
        }
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Prometheus text exposition of every meter. */
    public String scrape() {
        return registry == null ? "" : registry.scrape();
    }

    public String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }

    private void count(String name, String description, double amount, String... tags) {
        if (registry == null) {
            return;
        }
        String key = name + String.join("|", tags);
        Counter counter = counters.get(key);
        if (counter == null) {
            counter = counters.computeIfAbsent(key, k -> Counter.builder(name).description(description).tags(tags)
                    .register(registry));
        }
        counter.increment(amount);
    }

    public void connectionOpened(String app) {
        count("chorus.connections.opened", "WebSocket connections accepted", 1, "app", app);
    }

    /** @param reason what closed it: client, pong_timeout, over_capacity, terminated, refused_4001, ... */
    public void connectionClosed(String app, String reason) {
        count("chorus.connections.closed", "WebSocket connections closed, by reason", 1, "app", app, "reason", reason);
    }

    public void messageReceived(String app) {
        if (registry != null) {
            received.computeIfAbsent(app, id -> Counter.builder("chorus.messages.received")
                    .description("Frames received from clients").tag("app", id).register(registry)).increment();
        }
    }

    /** One call per fan-out with the number of recipients, not one per recipient. */
    public void messagesSent(String app, int recipients) {
        if (registry != null && recipients > 0) {
            sent.computeIfAbsent(app, id -> Counter.builder("chorus.messages.sent")
                    .description("Frames queued to clients").tag("app", id).register(registry)).increment(recipients);
        }
    }

    /** Frames received from clients of the app since start (this node). */
    public double receivedTotal(String app) {
        Counter counter = received.get(app);
        return counter == null ? 0 : counter.count();
    }

    /** Frames queued to clients of the app since start (this node). */
    public double sentTotal(String app) {
        Counter counter = sent.get(app);
        return counter == null ? 0 : counter.count();
    }

    public void outboundOverflow(String app) {
        count("chorus.outbound.overflows", "Connections closed with 4100 because their queue overflowed", 1, "app", app);
    }

    /** A connection closed with 4301 because it kept sending over {@code inbound_rate_limit}. */
    public void inboundFlood(String app) {
        count("chorus.inbound.floods", "Connections closed with 4301 for going on over the inbound rate limit", 1, "app", app);
    }

    /** A cache channel's event not kept because the app's cache is at {@code max_cache_entries} or {@code max_cached_bytes}. */
    public void cacheRefused(String app) {
        count("chorus.cache.refused", "Cache channel events not kept: the app's cache bound was reached", 1, "app", app);
    }

    public void httpRequest(String route, int status) {
        count("chorus.http.requests", "HTTP API requests by route and status", 1, "route", route, "status",
                String.valueOf(status));
    }

    public void webhookEvents(String app, int events) {
        count("chorus.webhooks.events", "Webhook events queued", events, "app", app);
    }

    /** A gauge read at scrape time. */
    public void gauge(String name, String description, Supplier<Number> value, String... tags) {
        if (registry == null) {
            return;
        }
        Gauge.builder(name, () -> value.get().doubleValue()).description(description).tags(tags).register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }
}
