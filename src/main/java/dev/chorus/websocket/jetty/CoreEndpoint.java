package dev.chorus.websocket.jetty;

import dev.chorus.app.App;
import dev.chorus.app.AppRegistry;
import dev.chorus.host.SocketEntry;
import dev.chorus.connection.Connection;
import dev.chorus.server.PusherServer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;

/**
 * One socket on Jetty's core WebSocket API, for the launcher: the same protocol as the JSR-356
 * {@code PusherEndpoint}, without the servlet upgrade and the Jakarta session, which cost most of a
 * handshake's CPU and ~10 KB of heap per connection (bench/spike/CoreSpike.java). The launcher maps
 * it in front of the web app through its {@code HostLink}; containers never see it.
 * <p>Threading: Jetty delivers one frame at a time and asks for the next through {@code demand()}.
 */
public final class CoreEndpoint implements FrameHandler {
    private final PusherServer server;
    private final AppRegistry apps;
    private final String origin;
    private final String forwardedFor;
    private final Duration writeTimeout;
    private CoreSession session;
    private Connection connection;
    private DirectTransport transport;
    private long maxMessage = Long.MAX_VALUE;
    /** Fragments of a text message in progress, else null. */
    private ByteArrayOutputStream partial;
    /** Frames that arrived after the connection was closed on our side. */
    private int afterClose;

    /**
     * How many frames a peer may send after we closed before we stop reading it: enough for a client's
     * close reply and whatever it had in flight, few enough that a flood is not read forever.
     */
    private static final int FRAMES_AFTER_CLOSE = 32;

    private CoreEndpoint(PusherServer server, AppRegistry apps, String origin, String forwardedFor, Duration writeTimeout) {
        this.server = server;
        this.apps = apps;
        this.origin = origin;
        this.forwardedFor = forwardedFor;
        this.writeTimeout = writeTimeout;
    }

    /**
     * What the web app offers the launcher ({@code HostLink.offerSockets}): one endpoint per handshake.
     * @param writeTimeout {@code write_timeout}: a socket whose write makes no progress this long is aborted
     */
    public static SocketEntry entry(Supplier<PusherServer> server, Supplier<AppRegistry> apps, Duration writeTimeout) {
        return (origin, forwardedFor) -> new CoreEndpoint(server.get(), apps.get(), origin, forwardedFor, writeTimeout);
    }

    @Override
    public void onOpen(CoreSession coreSession, Callback callback) {
        session = coreSession;
        String path = coreSession.getRequestURI().getRawPath();
        String key = path.substring(path.lastIndexOf('/') + 1);
        App app = apps.byKey(key);
        if (app != null) {
            maxMessage = app.maxMessageSize();
            // Frames up to the message limit; a larger message is refused with 1009 here, as the JSR-356 path does.
            coreSession.setMaxFrameSize(Math.max(app.maxMessageSize(), 1));
            coreSession.setIdleTimeout(app.idleBackstop());
        }
        List<String> protocol = coreSession.getParameterMap().get("protocol");
        // Jetty's core sessions are WebSocketCoreSessions, connected before onOpen.
        transport = new DirectTransport(coreSession, ((WebSocketCoreSession) coreSession).getConnection().getEndPoint(),
                writeTimeout);
        String peer = coreSession.getRemoteAddress() instanceof java.net.InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : null;
        connection = server.open(transport, key, origin, protocol == null || protocol.isEmpty() ? null : protocol.get(0),
                peer, forwardedFor);
        callback.succeeded();
        coreSession.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
        if (frame.getOpCode() == OpCode.CLOSE) {
            // Jetty writes its answer when the callback completes: not while a write of ours is in flight.
            transport.afterWrites(callback::succeeded);
            return;
        }
        Connection open = connection;
        if (open == null || open.isClosed()) {
            afterClosed(callback);
            return;
        }
        try {
            switch (frame.getOpCode()) {
                case OpCode.TEXT -> text(frame, true);
                case OpCode.CONTINUATION -> text(frame, false);
                case OpCode.BINARY -> transport.close(1003, "Binary messages are not supported");
                case OpCode.PING -> {
                    if (server.ping(open)) {
                        transport.pong(frame.getPayload());
                    }
                }
                case OpCode.PONG -> server.pong(open, transport.answersPing(frame.getPayload()));
                default -> {
                }
            }
        } finally {
            callback.succeeded();
            session.demand();
        }
    }

    /**
     * A frame after the connection was closed on our side (refused, terminated, over a limit): handled
     * no more. A peer that keeps sending is flooding: past a few frames we stop reading it, so its own
     * writes stall, and the endpoint's idle timeout (the write timeout from then on) ends the socket
     * even when our close frame is stuck behind a write the peer never reads.
     */
    private void afterClosed(Callback callback) {
        callback.succeeded();
        if (++afterClose <= FRAMES_AFTER_CLOSE) {
            session.demand();
        } else if (afterClose == FRAMES_AFTER_CLOSE + 1) {
            session.setIdleTimeout(writeTimeout);
        }
    }

    private void text(Frame frame, boolean first) {
        if (first && frame.isFin()) {
            deliver(frame.getPayload());
            return;
        }
        if (first) {
            partial = new ByteArrayOutputStream();
        } else if (partial == null) {
            return; // a continuation without a start: the parser closes such sockets with 1002
        }
        ByteBuffer payload = frame.getPayload();
        if (payload != null) {
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            partial.writeBytes(bytes);
        }
        if (partial.size() > maxMessage) {
            partial = null;
            transport.close(1009, "Message too large");
            return;
        }
        if (frame.isFin()) {
            ByteBuffer whole = ByteBuffer.wrap(partial.toByteArray());
            partial = null;
            deliver(whole);
        }
    }

    private void deliver(ByteBuffer payload) {
        String text;
        try {
            text = payload == null ? "" : StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(payload).toString();
        } catch (CharacterCodingException e) {
            transport.close(1007, "Invalid UTF-8");
            return;
        }
        if (connection != null) {
            server.message(connection, text);
        }
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        // Jetty closes the session after this; onClosed cleans up. Nothing goes to the client.
        callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
        if (connection != null) {
            server.closed(connection);
        }
        callback.succeeded();
    }
}
