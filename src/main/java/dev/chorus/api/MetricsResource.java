package dev.chorus.api;

import dev.chorus.metrics.Metrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET [/{path}]/metrics}: Prometheus text. With {@code server.metrics_token}
 * ({@code CHORUS_METRICS_TOKEN}) set it needs {@code Authorization: Bearer <token>}; without one it
 * answers only clients on this machine ({@link OperatorAccess}).
 */
@Path("metrics")
@OperatorOnly("/metrics")
@ApplicationScoped
public class MetricsResource {
    private final Metrics metrics;

    @Inject
    public MetricsResource(Metrics metrics) {
        this.metrics = metrics;
    }

    /** For CDI's client proxy only: an application-scoped bean needs a constructor without parameters. */
    protected MetricsResource() {
        this(null);
    }

    @GET
    public Response scrape() {
        return Response.ok(metrics.scrape(), metrics.contentType()).header("Cache-Control", "no-store").build();
    }
}
