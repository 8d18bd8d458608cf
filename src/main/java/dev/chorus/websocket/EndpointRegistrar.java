package dev.chorus.websocket;

import dev.chorus.app.AppRegistry;
import dev.chorus.app.ConfigurationException;
import dev.chorus.app.Settings;
import dev.chorus.cdi.Lookup;
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
        Settings settings = settings();
        AppRegistry apps = Lookup.of(AppRegistry.class);
        // The server itself, not a CDI proxy: contextDestroyed may run after the CDI container has stopped.
        server = Lookup.of(PusherServer.class);
        HostLink host = HostLink.in(event.getServletContext().getAttribute(HostLink.ATTRIBUTE));
        String path = settings.path() + "/app/{key}";
        ServerEndpointConfig config = ServerEndpointConfig.Builder.create(PusherEndpoint.class, path)
                .configurator(new PusherConfigurator(() -> server, () -> apps, settings.limits().writeTimeout()))
                .build();
        if (host != null) {
            // The launcher upgrades on Jetty's core API in front of the web app when it can.
            Transports.offerCoreEndpoint(host, server, apps, settings.limits().writeTimeout());
        }
        try {
            container.addEndpoint(config);
        } catch (DeploymentException e) {
            throw new IllegalStateException("Cannot register the Pusher endpoint at " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * The settings, or the reason they could not be used: already logged as one line by the composition
     * root, thrown again (without a stack trace) so the container marks the deployment failed.
     */
    private static Settings settings() {
        try {
            return Lookup.of(Settings.class);
        } catch (RuntimeException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof ConfigurationException failure) {
                    throw failure;
                }
            }
            throw e;
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
