package dev.chorus.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.app.App;
import dev.chorus.config.Chorus;
import dev.chorus.protocol.ChannelKind;
import dev.chorus.protocol.Json;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.Map;

/**
 * {@code [/{path}]/dashboard}: a live page of this deployment (connections, messages per second, top
 * channels, presence members, cluster nodes) with charts. Everything it loads comes from the WAR
 * (Chart.js from its WebJar), so it works without internet. Same protection as {@code /metrics}:
 * with {@code server.metrics_token} set, the page wants {@code ?token=} and the data a bearer token.
 */
@Path("dashboard")
public class DashboardResource {
    private static final String CHART_JS = "META-INF/resources/webjars/chart.js/4.4.1/dist/chart.umd.js";

    @Inject
    Chorus chorus;

    @GET
    public Response page(@QueryParam("token") String token) {
        if (!allowed(token)) {
            return denied();
        }
        return asset("dashboard/index.html", "text/html; charset=utf-8");
    }

    @GET
    @Path("dashboard.js")
    public Response script() {
        return asset("dashboard/dashboard.js", "text/javascript; charset=utf-8");
    }

    @GET
    @Path("chart.js")
    public Response chart() {
        return asset(CHART_JS, "text/javascript; charset=utf-8");
    }

    @GET
    @Path("data")
    public Response data(@HeaderParam("Authorization") String authorization) {
        String given = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
        if (!allowed(given)) {
            return denied();
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("time_ms", System.currentTimeMillis());
        root.put("node", chorus.nodeId());
        ArrayNode nodes = root.putArray("nodes");
        chorus.broadcaster().nodes().stream().sorted().forEach(nodes::add);
        ArrayNode apps = root.putArray("apps");
        for (App app : chorus.apps().all()) {
            ObjectNode entry = apps.addObject();
            entry.put("id", app.id());
            entry.put("name", app.name());
            entry.put("connections", chorus.broadcaster().connectionCount(app, chorus.server().connections(app).size()));
            entry.put("messages_in", chorus.metrics().receivedTotal(app.id()));
            entry.put("messages_out", chorus.metrics().sentTotal(app.id()));
            Map<String, Long> counts = chorus.broadcaster().subscriptionCounts(app);
            long members = counts.keySet().stream().filter(name -> ChannelKind.of(name).presence())
                    .mapToLong(name -> chorus.broadcaster().users(app, name).size()).sum();
            entry.put("presence_members", members);
            entry.put("channels", counts.size());
            ArrayNode top = entry.putArray("top_channels");
            counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                    .thenComparing(Map.Entry.comparingByKey())).limit(10).forEach(channel -> {
                        ObjectNode item = top.addObject();
                        item.put("name", channel.getKey());
                        item.put("subscriptions", channel.getValue());
                    });
        }
        return Response.ok(Json.write(root), "application/json").header("Cache-Control", "no-store").build();
    }

    private boolean allowed(String token) {
        String expected = chorus.settings().metricsToken();
        return expected == null || (token != null
                && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8)));
    }

    private static Response denied() {
        return ApiExceptionMapper.json(401, "The dashboard needs ?token=<server.metrics_token>");
    }

    private static Response asset(String name, String type) {
        try (InputStream in = DashboardResource.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                return ApiExceptionMapper.json(404, "Not found");
            }
            return Response.ok(in.readAllBytes(), type).header("Cache-Control", "no-cache").build();
        } catch (IOException e) {
            return ApiExceptionMapper.json(500, "Internal server error");
        }
    }
}
