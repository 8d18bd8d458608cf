package dev.chorus.websocket;

import dev.chorus.app.AppRegistry;
import dev.chorus.connection.Transport;
import dev.chorus.server.PusherServer;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * {@code [/{path}]/app/{key}}: one instance per socket, created by {@link PusherConfigurator}.
 * Registered programmatically so the route prefix can come from the settings.
 */
public final class PusherEndpoint extends Endpoint {
    static final String ORIGIN = "chorus.origin";
    static final String FORWARDED_FOR = "chorus.forwarded-for";
    /** Where Tomcat (and others that follow it) put the peer's address; other containers do not tell. */
    private static final String REMOTE_ADDRESS = "jakarta.websocket.endpoint.remoteAddress";

    private final PusherServer server;
    private final AppRegistry apps;
    private final Duration writeTimeout;
    private volatile PusherSocket socket;

    PusherEndpoint(PusherServer server, AppRegistry apps, Duration writeTimeout) {
        this.server = server;
        this.apps = apps;
        this.writeTimeout = writeTimeout;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        String key = session.getPathParameters().get("key");
        PusherSocket.Limits limits = PusherSocket.limits(apps, key);
        if (limits != null) {
            // The container rejects larger messages itself with 1009.
            session.setMaxTextMessageBufferSize(limits.maxMessage());
            session.setMaxBinaryMessageBufferSize(limits.maxMessage());
            session.setMaxIdleTimeout(limits.idleBackstop().toMillis());
        }
        Transport transport = Transports.forSession(session, writeTimeout);
        PusherSocket opened = PusherSocket.open(server, transport, key, (String) config.getUserProperties().get(ORIGIN),
                session.getRequestParameterMap().get("protocol"), session.getUserProperties().get(REMOTE_ADDRESS),
                (String) config.getUserProperties().get(FORWARDED_FOR));
        socket = opened;
        session.addMessageHandler(String.class, opened::text);
        if (opened.accepted()) {
            session.addMessageHandler(ByteBuffer.class, binary -> opened.binary());
            // Client pings are answered by the container and never reach us.
            session.addMessageHandler(PongMessage.class, pong -> opened.pong(pong.getApplicationData()));
        }
    }

    @Override
    public void onClose(Session session, CloseReason closeReason) {
        PusherSocket opened = socket;
        if (opened != null) {
            opened.closed();
        }
    }

    @Override
    public void onError(Session session, Throwable failure) {
        // The container closes the session after this; onClose cleans up. Nothing goes to the client.
    }
}
