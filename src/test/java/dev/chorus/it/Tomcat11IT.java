package dev.chorus.it;

import org.junit.jupiter.api.Test;

/** chorus WAR deployed unmodified, configured through CHORUS_CONFIG; see {@link ContainerScenario}. */
class Tomcat11IT {
    @Test
    void pusherClientsSubscribePresenceAndReceiveTriggeredEvents() throws Exception {
        try (ContainerProcess container = ContainerProcess.tomcat("11.0.24", ContainerScenario.config())) {
            try {
                ContainerScenario.run(container.port);
            } catch (AssertionError | Exception e) {
                throw new AssertionError(e.getMessage() + "\n--- container log ---\n" + container.output(), e);
            }
        }
    }
}
