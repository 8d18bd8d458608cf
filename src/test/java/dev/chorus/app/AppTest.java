package dev.chorus.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppTest {
    static App app(List<String> origins, boolean allowMissing) {
        return App.builder("1", "k", "s").name("n").allowedOrigins(origins).allowMissingOrigin(allowMissing)
                .maxPendingFrames(100).build();
    }

    @Test
    void originsMatchOnTheHostPartWithReverbsGlobs() {
        App app = app(List.of("localhost", "*.laravel.com"), false);
        assertTrue(app.allowsOrigin("http://localhost"));
        assertTrue(app.allowsOrigin("https://localhost:8443"));
        assertTrue(app.allowsOrigin("http://sub.laravel.com"));
        assertTrue(app.allowsOrigin("http://a.b.laravel.com"));
        assertFalse(app.allowsOrigin("http://laravel.com"));
        assertFalse(app.allowsOrigin("http://sub.localhost"));
        assertFalse(app.allowsOrigin("http://evil.com/?x=.laravel.com"));
        assertFalse(app.allowsOrigin("not a url"));
    }

    @Test
    void missingOriginPassesOnlyWithAStarOrTheExplicitOption() {
        assertTrue(app(List.of("*"), false).allowsOrigin(null));
        assertFalse(app(List.of("localhost"), false).allowsOrigin(null));
        assertTrue(app(List.of("localhost"), true).allowsOrigin(null));
    }

    @Test
    void aBuiltAppStartsFromWhatAConfigurationNamingOnlyTheCredentialsGets() {
        App loaded = new SettingsLoader(Map.of(), Map.of("REVERB_APP_ID", "1", "REVERB_APP_KEY", "k",
                "REVERB_APP_SECRET", "s")).load(null).apps().get(0);
        assertEquals(loaded, App.builder("1", "k", "s").build());
    }

    @Test
    void anAppRebuiltFromItsBuilderIsTheSameApp() {
        App app = App.builder("1", "k", "s").name("n").clientEvents(ClientEventPolicy.ALL).maxConnections(5)
                .features(new App.Features(true, false)).build();
        assertEquals(app, app.toBuilder().build());
        assertEquals(7, app.toBuilder().maxConnections(7).build().maxConnections());
    }
}
