package dev.chorus.testing;

import dev.chorus.app.App;

/**
 * Apps for tests: id {@code 1}, key {@code key}, secret {@code secret}, every other option at its
 * configuration default unless the test says otherwise.
 */
public final class TestApps {
    public static final String ID = "1";
    public static final String KEY = "key";
    public static final String SECRET = "secret";

    private TestApps() {
    }

    /** A builder for the test app, named {@code test}. */
    public static App.Builder app() {
        return App.builder(ID, KEY, SECRET).name("test");
    }
}
