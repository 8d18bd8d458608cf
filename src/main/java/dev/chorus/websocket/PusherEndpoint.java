package dev.chorus.websocket;

import dev.chorus.app.App;
import dev.chorus.app.AppRegistry;
import dev.chorus.connection.Connection;
import dev.chorus.connection.Transport;
import dev.chorus.server.PusherServer;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

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
    private volatile Connection connection;

    PusherEndpoint(PusherServer server, AppRegistry apps, Duration writeTimeout) {
        this.server = server;
        this.apps = apps;
        this.writeTimeout = writeTimeout;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        String key = session.getPathParameters().get("key");
        App app = apps.byKey(key);
        if (app != null) {
            // The container rejects larger messages itself with 1009.
            session.setMaxTextMessageBufferSize(app.maxMessageSize());
            session.setMaxBinaryMessageBufferSize(app.maxMessageSize());
            // Our liveness check owns idle sockets; the container's timeout is only a backstop behind it.
            session.setMaxIdleTimeout(app.idleBackstop().toMillis());
        }
        List<String> protocol = session.getRequestParameterMap().get("protocol");
        String origin = (String) config.getUserProperties().get(ORIGIN);
        Transport transport = Transports.forSession(session, writeTimeout);
        Object remote = session.getUserProperties().get(REMOTE_ADDRESS);
        String peer = remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : null;
        Connection opened = server.open(transport, key, origin, protocol == null || protocol.isEmpty() ? null : protocol.get(0),
                peer, (String) config.getUserProperties().get(FORWARDED_FOR));
        connection = opened;
        if (opened == null) {
            session.addMessageHandler(String.class, ignored -> { });
            return;
        }
        session.addMessageHandler(String.class, text -> server.message(opened, text));
        session.addMessageHandler(ByteBuffer.class, binary -> transport.close(CloseReason.CloseCodes.CANNOT_ACCEPT.getCode(),
                "Binary messages are not supported"));
        // Client pings are answered by the container and never reach us; pongs count only when they answer ours.
        session.addMessageHandler(PongMessage.class, pong -> server.pong(opened, transport.answersPing(pong.getApplicationData())));
    }

    @Override
    public void onClose(Session session, CloseReason closeReason) {
        Connection opened = connection;
        if (opened != null) {
            server.closed(opened);
        }
    }

    @Override
    public void onError(Session session, Throwable failure) {
        // The container closes the session after this; onClose cleans up. Nothing goes to the client.
    }
}
