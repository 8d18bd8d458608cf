package dev.chorus.websocket;

import dev.chorus.app.App;
import dev.chorus.app.AppRegistry;
import dev.chorus.connection.Connection;
import dev.chorus.connection.Transport;
import dev.chorus.server.PusherServer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

/**
 * One socket on {@code /app/{key}} as both endpoints see it, the JSR-356 {@link PusherEndpoint} and
 * Jetty's core {@code CoreEndpoint}: which limits the container enforces, what the handshake tells
 * {@link PusherServer#open}, and where each inbound message goes. The endpoints only translate their
 * container's callbacks into these calls; the decisions are made here, once.
 * <p>Threading: the container delivers one callback at a time per socket; {@link #closed} may come
 * from another thread, which the final fields make safe.
 */
public final class PusherSocket {
    /** Close code for a binary message: Pusher speaks text only (RFC 6455 "cannot accept"). */
    private static final int BINARY_CODE = 1003;
    private static final String BINARY_REASON = "Binary messages are not supported";

    /**
     * What the container enforces for one app's sockets: messages above {@code maxMessage} bytes are
     * refused with 1009; {@code idleBackstop} is the container's idle timeout, only a backstop behind
     * our own ping/pong liveness check.
     */
    public record Limits(int maxMessage, Duration idleBackstop) {
    }

    private final PusherServer server;
    private final Transport transport;
    /** Null when the server refused the socket: it is closing, and nothing it sends is handled. */
    private final Connection connection;

    private PusherSocket(PusherServer server, Transport transport, Connection connection) {
        this.server = server;
        this.transport = transport;
        this.connection = connection;
    }

    /** The limits for sockets of the app with this key, null when there is none (the server refuses them). */
    public static Limits limits(AppRegistry apps, String appKey) {
        App app = apps.byKey(appKey);
        return app == null ? null : new Limits(app.maxMessageSize(), app.idleBackstop());
    }

    /**
     * Opens the connection through {@link PusherServer#open}, which answers the client on the transport
     * (connection established, or an error and a close).
     * @param origin       the handshake's {@code Origin}, null when absent
     * @param protocol     the {@code protocol} query parameter's values, null when absent
     * @param remote       the container's remote address of the socket, null (or not an address) when it does not tell
     * @param forwardedFor the handshake's {@code X-Forwarded-For}, null when absent
     */
    public static PusherSocket open(PusherServer server, Transport transport, String appKey, String origin,
                                    List<String> protocol, Object remote, String forwardedFor) {
        return new PusherSocket(server, transport,
                server.open(transport, appKey, origin, first(protocol), peer(remote), forwardedFor));
    }

    /** The first of a header's or parameter's values, null when there is none. */
    static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** A header's values as one, comma-separated (as a proxy chain is written), null when there is none. */
    static String joined(List<String> values) {
        return values == null || values.isEmpty() ? null : String.join(",", values);
    }

    /** The peer's IP address, null when the container did not give a resolved socket address. */
    static String peer(Object remote) {
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress().getHostAddress() : null;
    }

    /** Whether the server accepted the socket (it may have closed it since). */
    boolean accepted() {
        return connection != null;
    }

    /** Whether inbound frames are still handled: accepted and not closed on our side since. */
    public boolean isOpen() {
        return connection != null && !connection.isClosed();
    }

    /** A whole text message. */
    public void text(String message) {
        if (connection != null) {
            server.message(connection, message);
        }
    }

    /** A binary message (any part of one): not Pusher, so the socket is closed. */
    public void binary() {
        if (connection != null) {
            transport.close(BINARY_CODE, BINARY_REASON);
        }
    }

    /**
     * A WebSocket ping from the client, where the container lets us see it.
     * @return whether to answer it with a pong (over the inbound rate it is dropped)
     */
    public boolean ping() {
        return connection != null && server.ping(connection);
    }

    /** A WebSocket pong: proof of life only when it answers one of our pings. */
    public void pong(ByteBuffer payload) {
        if (connection != null) {
            server.pong(connection, transport.answersPing(payload));
        }
    }

    /** The socket is gone, whoever closed it. Idempotent. */
    public void closed() {
        if (connection != null) {
            server.closed(connection);
        }
    }
}
