package dev.chorus.app;

import java.util.Collection;

/**
 * Looks apps up by key (WebSocket side) and by id (HTTP side). Implementations are immutable after
 * construction and safe to call from any thread without locking.
 */
public interface AppRegistry {
    App byKey(String key);

    App byId(String id);

    Collection<App> all();
}
