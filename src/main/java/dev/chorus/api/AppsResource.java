package dev.chorus.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.app.App;
import dev.chorus.broadcast.BackendRate;
import dev.chorus.app.AppRegistry;
import dev.chorus.broadcast.Occupancy;
import dev.chorus.server.PusherServer;
import dev.chorus.protocol.ChannelKind;
import dev.chorus.protocol.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Pusher HTTP API under {@code [/{path}]/apps/{appId}}. Every request was authenticated by
 * {@link SignedRequestFilter} before it gets here: the class is {@link Signed}, so every method,
 * present and future, is covered. Answers are JSON; refusals are {@link ApiException}s
 * naming the field and the limit.
 */
@ApplicationScoped
@Signed
@Path("apps/{appId}")
@Produces(MediaType.APPLICATION_JSON)
public class AppsResource {
    private final AppRegistry apps;
    private final Triggers triggers;
    private final Occupancy occupancy;
    private final BackendRate rate;
    private final PusherServer server;

    @Inject
    public AppsResource(AppRegistry apps, Triggers triggers, Occupancy occupancy, BackendRate rate, PusherServer server) {
        this.apps = apps;
        this.triggers = triggers;
        this.occupancy = occupancy;
        this.rate = rate;
        this.server = server;
    }

    /** For CDI's client proxy only: an application-scoped bean needs a constructor without parameters. */
    protected AppsResource() {
        this(null, null, null, null, null);
    }

    @POST
    @Path("events")
    public String trigger(@PathParam("appId") String appId, byte[] body) {
        App app = app(appId);
        EventRequests.Event event = triggers.trigger(app, body);
        if (event.info().isEmpty()) {
            return "{}";
        }
        ObjectNode channels = Json.MAPPER.createObjectNode();
        for (String channel : event.channels()) {
            channels.set(channel, info(app, channel, event.info(), false));
        }
        return wrap("channels", channels);
    }

    @POST
    @Path("batch_events")
    public String batch(@PathParam("appId") String appId, byte[] body) {
        App app = app(appId);
        ArrayNode results = Json.MAPPER.createArrayNode();
        for (EventRequests.Event event : triggers.batch(app, body)) {
            results.add(event.info().isEmpty() ? Json.MAPPER.createObjectNode()
                    : info(app, event.channels().get(0), event.info(), false));
        }
        return wrap("batch", results);
    }

    @GET
    @Path("channels")
    public String channels(@PathParam("appId") String appId, @QueryParam("filter_by_prefix") String prefix,
                           @QueryParam("info") String info) {
        App app = app(appId);
        limitReads(app);
        List<String> attributes = EventRequests.attributes(info, "user_count", "subscription_count");
        if (attributes.contains("user_count") && (prefix == null || !prefix.startsWith("presence-"))) {
            throw ApiException.badRequest("info=user_count needs filter_by_prefix=presence-");
        }
        ObjectNode channels = Json.MAPPER.createObjectNode();
        Map<String, Long> counts = occupancy.subscriptionCounts(app);
        for (Map.Entry<String, Long> entry : new TreeMap<>(counts).entrySet()) {
            String name = entry.getKey();
            if (prefix != null && !name.startsWith(prefix)) {
                continue;
            }
            channels.set(name, info(app, name, attributes, false, entry.getValue()));
        }
        return wrap("channels", channels);
    }

    @GET
    @Path("channels/{channel}")
    public String channel(@PathParam("appId") String appId, @PathParam("channel") String channel,
                          @QueryParam("info") String info) {
        App app = app(appId);
        limitReads(app);
        EventRequests.validChannel(channel, "channel");
        List<String> attributes = EventRequests.attributes(info, "user_count", "subscription_count", "cache");
        ChannelKind kind = ChannelKind.of(channel);
        if (attributes.contains("user_count") && !kind.presence()) {
            throw ApiException.badRequest("info=user_count is only for presence channels");
        }
        if (attributes.contains("cache") && !kind.cached()) {
            throw ApiException.badRequest("info=cache is only for cache channels");
        }
        return Json.write(info(app, channel, attributes, true));
    }

    @GET
    @Path("channels/{channel}/users")
    public String users(@PathParam("appId") String appId, @PathParam("channel") String channel) {
        App app = app(appId);
        limitReads(app);
        EventRequests.validChannel(channel, "channel");
        if (!ChannelKind.of(channel).presence()) {
            throw ApiException.badRequest("users are only listed for presence channels");
        }
        ArrayNode users = Json.MAPPER.createArrayNode();
        for (String user : occupancy.users(app, channel)) {
            users.addObject().put("id", user);
        }
        return wrap("users", users);
    }

    @POST
    @Path("users/{userId}/terminate_connections")
    public String terminate(@PathParam("appId") String appId, @PathParam("userId") String userId) {
        App app = app(appId);
        if (userId.isBlank()) {
            throw ApiException.badRequest("user id is required");
        }
        server.terminateUserEverywhere(app, userId);
        return "{}";
    }

    @GET
    @Path("connections")
    public String connections(@PathParam("appId") String appId) {
        App app = app(appId);
        limitReads(app);
        return "{\"connections\":" + occupancy.connectionCount(app, server.connections(app).size()) + "}";
    }

    /** {@code max_read_requests_per_second}: one per GET of channels, a channel, its users or connections. */
    private void limitReads(App app) {
        int limit = app.limits().maxReadRequestsPerSecond();
        if (limit >= 0 && !rate.allow(app, BackendRate.Kind.READS, 1)) {
            throw ApiException.tooMany("read requests", limit, BackendRate.Kind.READS.setting());
        }
    }

    private App app(String appId) {
        App app = apps.byId(appId);
        if (app == null) {
            throw new ApiException(404, "No app with id '" + appId + "'");
        }
        return app;
    }

    /** One channel's info, cluster-wide when scaling (the counts of every live node). */
    private ObjectNode info(App app, String name, List<String> attributes, boolean withOccupied) {
        return info(app, name, attributes, withOccupied, occupancy.subscriptionCounts(app).getOrDefault(name, 0L));
    }

    /** @param subscriptions the channel's subscription count, when the caller already has it */
    private ObjectNode info(App app, String name, List<String> attributes, boolean withOccupied, long subscriptions) {
        ChannelKind kind = ChannelKind.of(name);
        ObjectNode info = Json.MAPPER.createObjectNode();
        if (withOccupied) {
            info.put("occupied", subscriptions > 0);
        }
        if (attributes.contains("user_count") && kind.presence()) {
            info.put("user_count", occupancy.users(app, name).size());
        }
        if (attributes.contains("subscription_count")) {
            info.put("subscription_count", subscriptions);
        }
        if (attributes.contains("cache") && kind.cached()) {
            String cached = occupancy.cached(app, name);
            if (cached != null) {
                try {
                    info.set("cache", Json.MAPPER.readTree(cached));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("cached frame is not JSON", e);
                }
            }
        }
        return info;
    }

    /** {@code {"<name>": value}}: the envelope every list answer of the API has. */
    private static String wrap(String name, JsonNode value) {
        ObjectNode response = Json.MAPPER.createObjectNode();
        response.set(name, value);
        return Json.write(response);
    }

}
