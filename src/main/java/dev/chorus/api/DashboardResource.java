package dev.chorus.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.app.App;
import dev.chorus.app.AppRegistry;
import dev.chorus.app.Settings;
import dev.chorus.broadcast.Occupancy;
import dev.chorus.metrics.Metrics;
import dev.chorus.server.PusherServer;
import jakarta.enterprise.context.ApplicationScoped;
import dev.chorus.protocol.ChannelKind;
import dev.chorus.protocol.Json;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.Comparator;
import java.util.Map;

/**
 * {@code [/{path}]/dashboard}: a live page of this deployment (connections, messages per second, top
 * channels, presence members, cluster nodes) with charts. Everything it loads comes from the WAR
 * (Chart.js from its WebJar), so it works without internet. Same protection as {@code /metrics}
 * ({@link OperatorAccess}) on every route, scripts included.
 *
 * <p>With a token, the page is opened once as {@code ?token=}; the answer sets an HttpOnly,
 * SameSite=Strict cookie (derived from the token, see {@link OperatorAccess#cookieValue()}) and the page
 * drops the token from its URL. A cookie rather than a header kept in {@code sessionStorage}: the page's
 * own {@code <script src>} loads cannot carry a header but must be guarded like the data, and an
 * HttpOnly cookie is out of reach of any script in the page.
 */
@Path("dashboard")
@OperatorOnly(value = "/dashboard", cookie = true)
@ApplicationScoped
public class DashboardResource {
    private static final String CHART_JS = "META-INF/resources/webjars/chart.js/4.4.1/dist/chart.umd.js";

    private final Settings settings;
    private final AppRegistry apps;
    private final Occupancy occupancy;
    private final PusherServer server;
    private final Metrics metrics;

    @Inject
    public DashboardResource(Settings settings, AppRegistry apps, Occupancy occupancy, PusherServer server, Metrics metrics) {
        this.settings = settings;
        this.apps = apps;
        this.occupancy = occupancy;
        this.server = server;
        this.metrics = metrics;
    }

    /** For CDI's client proxy only: an application-scoped bean needs a constructor without parameters. */
    protected DashboardResource() {
        this(null, null, null, null, null);
    }

    @GET
    @OperatorOnly(value = "/dashboard", cookie = true, tokenInQuery = true)
    public Response page(@Context HttpServletRequest request) {
        Response page = asset("dashboard/index.html", "text/html; charset=utf-8");
        if (page.getStatus() != 200) {
            return page;
        }
        Response.ResponseBuilder answer = Response.fromResponse(page)
                // The first load's URL may carry the token: keep it out of Referer headers and caches.
                .header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", null).header("Cache-Control", "no-store");
        OperatorAccess access = new OperatorAccess(settings.metricsToken());
        if (access.tokenSet()) {
            // Paths from the deployment, not from the request: a request path could smuggle cookie attributes.
            String path = request.getContextPath() + settings.path() + "/dashboard";
            answer.header("Set-Cookie", OperatorAccess.COOKIE + "=" + access.cookieValue() + "; Path=" + path
                    + "; HttpOnly; SameSite=Strict" + (request.isSecure() ? "; Secure" : ""));
        }
        return answer.build();
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
    public Response data() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("time_ms", System.currentTimeMillis());
        root.put("node", occupancy.nodeId());
        ArrayNode nodes = root.putArray("nodes");
        occupancy.nodes().stream().sorted().forEach(nodes::add);
        ArrayNode list = root.putArray("apps");
        for (App app : apps.all()) {
            ObjectNode entry = list.addObject();
            entry.put("id", app.id());
            entry.put("name", app.name());
            entry.put("connections", occupancy.connectionCount(app, server.connections(app).size()));
            entry.put("messages_in", metrics.receivedTotal(app.id()));
            entry.put("messages_out", metrics.sentTotal(app.id()));
            Map<String, Long> counts = occupancy.subscriptionCounts(app);
            long members = counts.keySet().stream().filter(name -> ChannelKind.of(name).presence())
                    .mapToLong(name -> occupancy.users(app, name).size()).sum();
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
