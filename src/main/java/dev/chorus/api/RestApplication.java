package dev.chorus.api;

import com.fasterxml.jackson.jakarta.rs.json.JacksonJsonProvider;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;
import java.util.Set;

/**
 * The JAX-RS application. Classes are listed, not scanned, and Jackson is the only JSON provider:
 * Payara's JSON-B and MOXy would otherwise win and change the JSON.
 */
@ApplicationPath("/")
public class RestApplication extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(HealthResource.class, AppsResource.class, MetricsResource.class, DashboardResource.class, DemoResource.class,
                SignedRequestFilter.class, OperatorFilter.class,
                RequestMetricsFilter.class, ApiExceptionMapper.class, JacksonJsonProvider.class);
    }

    @Override
    public Map<String, Object> getProperties() {
        return Map.of("jersey.config.disableJsonBinding", true, "jersey.config.disableMoxyJson", true,
                "jersey.config.server.wadl.disableWadl", true);
    }
}
