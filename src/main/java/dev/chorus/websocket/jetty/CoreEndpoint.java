package dev.chorus.websocket.jetty;

import dev.chorus.app.App;
import dev.chorus.app.AppRegistry;
import dev.chorus.connection.Connection;
import dev.chorus.server.PusherServer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
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
 * it in front of the web app through {@link #FACTORY_ATTRIBUTE}; containers never see it.
 * <p>Threading: Jetty delivers one frame at a time and asks for the next through {@code demand()}.
 */
public final class CoreEndpoint implements FrameHandler {
    /** Servlet context attribute: a {@code Function<String, Object>} from the Origin header (or null) to a FrameHandler. */
    public static final String FACTORY_ATTRIBUTE = "dev.chorus.core.endpoint";

    private final PusherServer server;
    private final AppRegistry apps;
    private final String origin;
    private CoreSession session;
    private Connection connection;
    private DirectTransport transport;
    private long maxMessage = Long.MAX_VALUE;
    /** Fragments of a text message in progress, else null. */
    private ByteArrayOutputStream partial;

    private CoreEndpoint(PusherServer server, AppRegistry apps, String origin) {
        this.server = server;
        this.apps = apps;
        this.origin = origin;
    }

    /** What the web app publishes under {@link #FACTORY_ATTRIBUTE}: JDK types only across the class loaders. */
    public static Function<String, Object> factory(Supplier<PusherServer> server, Supplier<AppRegistry> apps) {
        return origin -> new CoreEndpoint(server.get(), apps.get(), origin);
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
        transport = new DirectTransport(coreSession, ((WebSocketCoreSession) coreSession).getConnection().getEndPoint());
        connection = server.open(transport, key, origin, protocol == null || protocol.isEmpty() ? null : protocol.get(0));
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
        try {
            switch (frame.getOpCode()) {
                case OpCode.TEXT -> text(frame, true);
                case OpCode.CONTINUATION -> text(frame, false);
                case OpCode.BINARY -> transport.close(1003, "Binary messages are not supported");
                case OpCode.PING -> {
                    transport.pong(frame.getPayload());
                    alive();
                }
                case OpCode.PONG -> alive();
                default -> {
                }
            }
        } finally {
            callback.succeeded();
            session.demand();
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

    private void alive() {
        if (connection != null) {
            server.controlFrame(connection);
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
