package dev.chorus.api;

import dev.chorus.config.Chorus;
import dev.chorus.config.Lookup;
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

    private volatile Chorus chorus;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        Chorus found = chorus;
        if (found == null) {
            found = Lookup.chorus();
            chorus = found;
        }
        found.metrics().httpRequest(route(), response.getStatus());
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
