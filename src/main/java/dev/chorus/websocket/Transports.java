package dev.chorus.websocket;

import dev.chorus.app.AppRegistry;
import dev.chorus.connection.Transport;
import dev.chorus.host.HostLink;
import dev.chorus.server.PusherServer;
import dev.chorus.websocket.jetty.CoreEndpoint;
import dev.chorus.websocket.jetty.JettyCoreTransport;
import jakarta.websocket.Session;
import java.time.Duration;

/**
 * Picks the fastest transport the container allows: Jetty's core session when its classes are
 * visible here (the launcher exposes them), else the portable JSR-356 one.
 */
final class Transports {
    private static final boolean JETTY_CORE = !Boolean.getBoolean("chorus.transport.portable")
            && visible("org.eclipse.jetty.websocket.core.CoreSession")
            && visible("org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketSession")
            && visible("org.eclipse.jetty.util.Callback");

    private Transports() {
    }

    static Transport forSession(Session session, Duration writeTimeout) {
        if (JETTY_CORE) {
            Transport core = JettyCoreTransport.of(session);
            if (core != null) {
                return core;
            }
        }
        return new JakartaTransport(session, writeTimeout);
    }

    /**
     * Where Jetty's core WebSocket API is visible (the launcher), offers the core endpoint to the host
     * to map in front of the web app; the JSR-356 endpoint stays for everything else.
     */
    static void offerCoreEndpoint(HostLink host, PusherServer server, AppRegistry apps, Duration writeTimeout) {
        if (JETTY_CORE && visible("org.eclipse.jetty.websocket.core.FrameHandler")) {
            host.offerSockets(CoreEndpoint.entry(() -> server, () -> apps, writeTimeout));
        }
    }

    private static boolean visible(String name) {
        try {
            Class.forName(name, false, Transports.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
