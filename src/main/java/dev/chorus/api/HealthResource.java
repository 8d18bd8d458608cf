package dev.chorus.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET [/{path}]/up}: unauthenticated health for load balancers and supervisors. */
@Path("up")
public class HealthResource {
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String up() {
        return "{\"health\":\"OK\"}";
    }
}
