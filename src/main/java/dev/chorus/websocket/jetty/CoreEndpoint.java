package dev.chorus.websocket.jetty;

import dev.chorus.app.AppRegistry;
import dev.chorus.host.SocketEntry;
import dev.chorus.server.PusherServer;
import dev.chorus.websocket.PusherSocket;
import java.time.Duration;
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
 * What to do with each message is {@link PusherSocket}'s, shared with that endpoint; what is left here
 * is Jetty's: frames into messages ({@link TextAssembly}), demand, and the close handshake.
 * <p>Threading: Jetty delivers one frame at a time and asks for the next through {@code demand()}.
 */
public final class CoreEndpoint implements FrameHandler {
    private final PusherServer server;
    private final AppRegistry apps;
    private final String origin;
    private final String forwardedFor;
    private final Duration writeTimeout;
    private CoreSession session;
    private PusherSocket socket;
    private DirectTransport transport;
    private TextAssembly assembly;
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
        PusherSocket.Limits limits = PusherSocket.limits(apps, key);
        long maxMessage = Long.MAX_VALUE;
        if (limits != null) {
            maxMessage = limits.maxMessage();
            // Frames up to the message limit; a larger message is refused with 1009 here, as the JSR-356 path does.
            coreSession.setMaxFrameSize(Math.max(limits.maxMessage(), 1));
            coreSession.setIdleTimeout(limits.idleBackstop());
        }
        assembly = new TextAssembly(maxMessage);
        // Jetty's core sessions are WebSocketCoreSessions, connected before onOpen.
        transport = new DirectTransport(coreSession, ((WebSocketCoreSession) coreSession).getConnection().getEndPoint(),
                writeTimeout);
        socket = PusherSocket.open(server, transport, key, origin, coreSession.getParameterMap().get("protocol"),
                coreSession.getRemoteAddress(), forwardedFor);
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
        if (!socket.isOpen()) {
            afterClosed(callback);
            return;
        }
        try {
            switch (frame.getOpCode()) {
                case OpCode.TEXT -> text(frame, true);
                case OpCode.CONTINUATION -> text(frame, false);
                case OpCode.BINARY -> socket.binary();
                case OpCode.PING -> {
                    if (socket.ping()) {
                        transport.pong(frame.getPayload());
                    }
                }
                case OpCode.PONG -> socket.pong(frame.getPayload());
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

    private void text(Frame frame, boolean start) {
        String message;
        try {
            message = assembly.frame(start, frame.isFin(), frame.getPayload());
        } catch (TextAssembly.Refused refused) {
            transport.close(refused.code(), refused.reason());
            return;
        }
        if (message != null) {
            socket.text(message);
        }
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        // Jetty closes the session after this; onClosed cleans up. Nothing goes to the client.
        callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
        if (socket != null) {
            socket.closed();
        }
        callback.succeeded();
    }
}
