package dev.chorus.it;

/** Gives the Arquillian ITs (another package) the same scenario as the process-based deployment ITs. */
public final class ArquillianScenario {
    private ArquillianScenario() {
    }

    public static void run(int port) throws Exception {
        ContainerScenario.run(port);
    }
}
