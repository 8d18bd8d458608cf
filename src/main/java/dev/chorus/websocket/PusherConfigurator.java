package dev.chorus.websocket;

import dev.chorus.app.AppRegistry;
import dev.chorus.protocol.ClientAddress;
import dev.chorus.server.PusherServer;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Creates one {@link PusherEndpoint} per socket with the application's server, and captures the
 * {@code Origin} header (the endpoint cannot see request headers otherwise). Containers hand
 * {@link #modifyHandshake} a per-connection copy of the user properties.
 */
final class PusherConfigurator extends ServerEndpointConfig.Configurator {
    private final Supplier<PusherServer> server;
    private final Supplier<AppRegistry> apps;
    private final Duration writeTimeout;

    PusherConfigurator(Supplier<PusherServer> server, Supplier<AppRegistry> apps, Duration writeTimeout) {
        this.server = server;
        this.apps = apps;
        this.writeTimeout = writeTimeout;
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        String forwarded = PusherSocket.joined(request.getHeaders().get(ClientAddress.FORWARDED_FOR));
        if (forwarded != null) {
            config.getUserProperties().put(PusherEndpoint.FORWARDED_FOR, forwarded);
        }
        List<String> origins = request.getHeaders().get("Origin");
        String origin = PusherSocket.first(origins != null ? origins : request.getHeaders().get("origin"));
        if (origin != null) {
            config.getUserProperties().put(PusherEndpoint.ORIGIN, origin);
        }
    }

    @Override
    public boolean checkOrigin(String originHeaderValue) {
        // Origins are checked per app after the upgrade, so the client gets a Pusher 4009, not a bare 403.
        return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getEndpointInstance(Class<T> endpointClass) {
        return (T) new PusherEndpoint(server.get(), apps.get(), writeTimeout);
    }
}
