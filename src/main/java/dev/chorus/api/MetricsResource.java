package dev.chorus.api;

import dev.chorus.config.Chorus;
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
public class MetricsResource {
    @Inject
    Chorus chorus;

    @GET
    public Response scrape() {
        return Response.ok(chorus.metrics().scrape(), chorus.metrics().contentType()).header("Cache-Control", "no-store").build();
    }
}
