package dev.chorus.it;

import org.junit.jupiter.api.Test;

/** chorus WAR deployed unmodified, set up by docs/containers.md's recipe as printed; see {@link ContainerScenario}. */
class PayaraMicroIT {
    @Test
    void pusherClientsSubscribePresenceAndReceiveTriggeredEvents() throws Exception {
        try (ContainerProcess container = ContainerProcess.payaraMicro()) {
            try {
                ContainerScenario.run(container.port, container.credentials());
            } catch (AssertionError | Exception e) {
                throw new AssertionError(e.getMessage() + "\n--- container log ---\n" + container.output(), e);
            }
        }
    }
}
