package dev.chorus.websocket;

import dev.chorus.config.Chorus;
import dev.chorus.config.Lookup;
import dev.chorus.host.HostLink;
import dev.chorus.protocol.PusherError;
import dev.chorus.server.PusherServer;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * Registers the Pusher endpoint under the configured route prefix. Programmatic (not
 * {@code @ServerEndpoint}) because the path comes from the settings; the CDI lookup happens here,
 * once, so endpoints need no injection (containers disagree on how they inject endpoints).
 */
@WebListener
public final class EndpointRegistrar implements ServletContextListener {
    private static final long DRAIN_MILLIS = 2_000;
    private volatile PusherServer server;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServerContainer container = (ServerContainer) event.getServletContext()
                .getAttribute(ServerContainer.class.getName());
        if (container == null) {
            throw new IllegalStateException("This container offers no Jakarta WebSocket server: enable it to run Chorus");
        }
        Chorus chorus = Lookup.chorus();
        if (chorus.startFailure() != null) {
            // Already logged as one line; thrown again so the container marks the deployment failed.
            throw chorus.startFailure();
        }
        HostLink host = HostLink.in(event.getServletContext().getAttribute(HostLink.ATTRIBUTE));
        chorus.hostedBy(host);
        String path = chorus.settings().path() + "/app/{key}";
        ServerEndpointConfig config = ServerEndpointConfig.Builder.create(PusherEndpoint.class, path)
                .configurator(new PusherConfigurator(chorus::server, chorus::apps,
                        chorus.settings().limits().writeTimeout()))
                .build();
        // The server itself, not the CDI proxy: contextDestroyed may run after the CDI container has stopped.
        server = chorus.server();
        if (host != null) {
            // The launcher drains through this before it stops Jetty, which would otherwise close the
            // sockets with 1001 first.
            host.offerDrain(() -> server.drain(PusherError.SERVER_RESTARTING, DRAIN_MILLIS));
            Transports.offerCoreEndpoint(host, chorus);
        }
        try {
            container.addEndpoint(config);
        } catch (DeploymentException e) {
            throw new IllegalStateException("Cannot register the Pusher endpoint at " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        // Containers other than the launcher (which drained already): best effort, the sockets may
        // already be closing.
        if (server != null && HostLink.in(event.getServletContext().getAttribute(HostLink.ATTRIBUTE)) == null) {
            server.drain(PusherError.SERVER_RESTARTING, DRAIN_MILLIS);
        }
    }
}
