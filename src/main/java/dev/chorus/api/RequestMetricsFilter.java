package dev.chorus.api;

import dev.chorus.cdi.Lookup;
import dev.chorus.metrics.Metrics;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.ext.Provider;
import java.lang.reflect.Method;

/** Counts every HTTP API response by route template (not by URL, which would explode the series) and status. */
@Provider
public class RequestMetricsFilter implements ContainerResponseFilter {
    @Context
    ResourceInfo resource;

    private volatile Metrics metrics;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        Metrics found = metrics;
        if (found == null) {
            // Looked up, not injected: providers are not CDI beans in every container.
            found = Lookup.of(Metrics.class);
            metrics = found;
        }
        found.httpRequest(route(), response.getStatus());
    }

    private String route() {
        Class<?> type = resource == null ? null : resource.getResourceClass();
        Method method = resource == null ? null : resource.getResourceMethod();
        if (type == null || method == null) {
            return "unmatched";
        }
        Path base = type.getAnnotation(Path.class);
        Path sub = method.getAnnotation(Path.class);
        return (base == null ? "" : base.value()) + (sub == null ? "" : "/" + sub.value());
    }
}
