package dev.chorus.app;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The apps fixed at startup by the settings. */
public final class StaticAppRegistry implements AppRegistry {
    private final Map<String, App> byKey = new LinkedHashMap<>();
    private final Map<String, App> byId = new LinkedHashMap<>();

    public StaticAppRegistry(List<App> apps) {
        for (App app : apps) {
            byKey.put(app.key(), app);
            byId.put(app.id(), app);
        }
    }

    @Override
    public App byKey(String key) {
        return key == null ? null : byKey.get(key);
    }

    @Override
    public App byId(String id) {
        return id == null ? null : byId.get(id);
    }

    @Override
    public Collection<App> all() {
        return byId.values();
    }
}
