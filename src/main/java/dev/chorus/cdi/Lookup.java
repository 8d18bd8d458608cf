package dev.chorus.cdi;

import jakarta.enterprise.inject.spi.CDI;

/**
 * The one place that asks CDI for a role by hand: for the objects a container instantiates itself,
 * outside injection (servlet filters and listeners, JAX-RS providers), which not every container lets
 * Weld inject. Everything else gets its collaborators through its constructor.
 */
public final class Lookup {
    private Lookup() {
    }

    /** The application's instance of a role the composition root produces. */
    public static <T> T of(Class<T> role) {
        return CDI.current().select(role).get();
    }
}
