package dev.chorus.it;

import org.junit.jupiter.api.Test;

/** chorus WAR deployed unmodified, configured through CHORUS_CONFIG; see {@link ContainerScenario}. */
class JettyDistributionIT {
    @Test
    void pusherClientsSubscribePresenceAndReceiveTriggeredEvents() throws Exception {
        try (ContainerProcess container = ContainerProcess.jetty(ContainerScenario.config())) {
            try {
                ContainerScenario.run(container.port);
            } catch (AssertionError | Exception e) {
                throw new AssertionError(e.getMessage() + "\n--- container log ---\n" + container.output(), e);
            }
        }
    }
}
