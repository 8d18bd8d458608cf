package dev.chorus.api;

import dev.chorus.config.Chorus;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code GET [/{path}]/metrics}: Prometheus text. Open unless {@code server.metrics_token}
 * ({@code CHORUS_METRICS_TOKEN}) is set; then it needs {@code Authorization: Bearer <token>}.
 */
@Path("metrics")
public class MetricsResource {
    @Inject
    Chorus chorus;

    @GET
    public Response scrape(@HeaderParam("Authorization") String authorization) {
        String token = chorus.settings().metricsToken();
        if (token != null) {
            String given = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
            if (!MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
                return ApiExceptionMapper.json(401, "Metrics need Authorization: Bearer <server.metrics_token>");
            }
        }
        return Response.ok(chorus.metrics().scrape(), chorus.metrics().contentType()).build();
    }
}
