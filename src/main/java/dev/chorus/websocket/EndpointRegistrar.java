package dev.chorus.websocket;

import dev.chorus.config.Chorus;
import jakarta.enterprise.inject.spi.CDI;
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
    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServerContainer container = (ServerContainer) event.getServletContext()
                .getAttribute(ServerContainer.class.getName());
        if (container == null) {
            throw new IllegalStateException("This container offers no Jakarta WebSocket server: enable it to run Chorus");
        }
        Chorus chorus = CDI.current().select(Chorus.class).get();
        String path = chorus.settings().path() + "/app/{key}";
        ServerEndpointConfig config = ServerEndpointConfig.Builder.create(PusherEndpoint.class, path)
                .configurator(new PusherConfigurator(chorus::server, chorus::apps))
                .build();
        try {
            container.addEndpoint(config);
        } catch (DeploymentException e) {
            throw new IllegalStateException("Cannot register the Pusher endpoint at " + path + ": " + e.getMessage(), e);
        }
    }
}
