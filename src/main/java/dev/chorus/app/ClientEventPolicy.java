package dev.chorus.app;

import java.util.Locale;

/** Who may send {@code client-*} events ({@code accept_client_events_from}). */
public enum ClientEventPolicy {
    /** Only connections subscribed to the channel (the default, as in Reverb's config). */
    MEMBERS,
    /** Any connection of the app, subscribed or not. */
    ALL,
    /** Nobody: client events are refused with 4301. */
    NONE;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
