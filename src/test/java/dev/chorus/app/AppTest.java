package dev.chorus.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AppTest {
    static App app(List<String> origins, boolean allowMissing) {
        return new App("1", "k", "s", "n", true, origins, allowMissing, 30, Duration.ofSeconds(60), Duration.ofSeconds(30),
                -1, 10_000, ClientEventPolicy.MEMBERS, 10, 100, 100, Duration.ofMinutes(30), App.EventLimits.PUSHER, List.of(), App.Limits.DEFAULTS);
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
}
