package dev.chorus.config;

import jakarta.enterprise.inject.spi.CDI;

/**
 * The one place that asks CDI for the application by hand: for the objects a container instantiates
 * itself, outside injection (servlet filters and listeners, which Weld cannot inject in every
 * container). Everything else gets its collaborators through its constructor or {@code @Inject}.
 */
public final class Lookup {
    private Lookup() {
    }

    /** The application's composition root; built on first use. */
    public static Chorus chorus() {
        return CDI.current().select(Chorus.class).get();
    }
}
