package dev.chorus.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.app.App;
import dev.chorus.app.Settings;
import jakarta.enterprise.context.ApplicationScoped;
import dev.chorus.protocol.ChannelKind;
import dev.chorus.protocol.Json;
import dev.chorus.protocol.Signer;
import jakarta.inject.Inject;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code [/{path}]/demo} when the demo is enabled: a Laravel Echo page ({@code broadcaster: 'reverb'})
 * on the first app, with the channel-auth endpoint Echo calls. The endpoint signs any channel for any
 * socket, which is what a demo needs and exactly what production must never do: hence off by default.
 */
@Path("demo")
@ApplicationScoped
public class DemoResource {
    private final Settings settings;

    @Inject
    public DemoResource(Settings settings) {
        this.settings = settings;
    }

    /** For CDI's client proxy only: an application-scoped bean needs a constructor without parameters. */
    protected DemoResource() {
        this(null);
    }

    private boolean enabled() {
        return settings.demo();
    }

    private App app() {
        return settings.apps().get(0);
    }

    @GET
    public Response page() {
        if (enabled() && DemoResource.class.getClassLoader().getResource("demo/echo.iife.js") == null) {
            // Built without npm: the server is whole, only this page's scripts were never bundled.
            return Response.status(503).type("text/html; charset=utf-8").entity(MISSING_ASSETS).build();
        }
        return asset("demo/index.html", "text/html; charset=utf-8");
    }

    static final String MISSING_ASSETS = "<!doctype html><title>Chorus demo</title><p>The demo page's assets "
            + "(Laravel Echo and pusher-js) are missing: this Chorus was built without npm. Install Node.js with npm "
            + "and build again (<code>mvn -B -ntp package -DskipTests</code>) to try the demo.</p>";

    @GET
    @Path("echo.js")
    public Response echo() {
        return asset("demo/echo.iife.js", "text/javascript; charset=utf-8");
    }

    @GET
    @Path("pusher.js")
    public Response pusher() {
        return asset("demo/pusher.min.js", "text/javascript; charset=utf-8");
    }

    @GET
    @Path("config")
    public Response config() {
        if (!enabled()) {
            return ApiExceptionMapper.json(404, "Not found");
        }
        ObjectNode config = Json.MAPPER.createObjectNode();
        config.put("key", app().key());
        config.put("path", settings.path());
        return Response.ok(Json.write(config), "application/json").build();
    }

    /** What Laravel's /broadcasting/auth does, for any channel and a made-up user. */
    @POST
    @Path("auth")
    public Response auth(@FormParam("socket_id") String socketId, @FormParam("channel_name") String channel) {
        if (!enabled()) {
            return ApiExceptionMapper.json(404, "Not found");
        }
        if (socketId == null || channel == null || !ChannelKind.isValidName(channel)) {
            return ApiExceptionMapper.json(400, "socket_id and channel_name are required");
        }
        App app = app();
        Signer signer = new Signer(app.secret());
        ObjectNode answer = Json.MAPPER.createObjectNode();
        if (ChannelKind.of(channel).presence()) {
            String user = "demo-" + socketId.replace('.', '-');
            String channelData = "{\"user_id\":\"" + user + "\",\"user_info\":{\"name\":\"" + user + "\"}}";
            answer.put("auth", signer.channelAuth(app.key(), socketId, channel, channelData));
            answer.put("channel_data", channelData);
        } else {
            answer.put("auth", signer.channelAuth(app.key(), socketId, channel, null));
        }
        return Response.ok(Json.write(answer), "application/json").build();
    }

    private Response asset(String name, String type) {
        if (!enabled()) {
            return ApiExceptionMapper.json(404, "Not found");
        }
        try (InputStream in = DemoResource.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                return ApiExceptionMapper.json(404, "Not found");
            }
            return Response.ok(in.readAllBytes(), type).build();
        } catch (IOException e) {
            return ApiExceptionMapper.json(500, "Internal server error");
        }
    }
}
