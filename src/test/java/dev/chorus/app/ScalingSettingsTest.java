package dev.chorus.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scaling section read on its own, from the environment alone (no config file). */
class ScalingSettingsTest {
    private static Map<String, String> fresh(String... pairs) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], new String(pairs[i + 1]));
        }
        return map;
    }

    private static SettingSources sources(Map<String, String> env) {
        return new SettingSources(Map.of(), "flag --", env, null);
    }

    private static Scaling read(Map<String, String> env) {
        return new ScalingSettings(new ReadEnvironment(env), new SettingValues(sources(env))).read(null);
    }

    @Test
    void redisUrlCredentialsAndDatabaseWinOverTheSeparateVariables() {
        Scaling scaling = read(fresh("REVERB_SCALING_ENABLED", "true", "REDIS_URL", "rediss://ann:s%40cret@redis.internal:6380/4",
                "REDIS_HOST", "elsewhere", "REDIS_DB", "1", "REDIS_PASSWORD", "old"));
        assertEquals("redis.internal", scaling.host());
        assertEquals(6380, scaling.port());
        assertTrue(scaling.tls());
        assertEquals("ann", scaling.username());
        assertEquals("s@cret", scaling.password());
        assertEquals(4, scaling.database());
    }

    @Test
    void sentinelsAreReadAsACommaSeparatedListWithTheDefaultMaster() {
        Scaling.Sentinel sentinel = read(fresh("REVERB_SCALING_ENABLED", "true",
                "REDIS_SENTINELS", "s1:26379, s2:26379,")).sentinel();
        assertEquals(List.of("s1:26379", "s2:26379"), sentinel.addresses());
        assertEquals("mymaster", sentinel.master());
    }

    @Test
    void aBadValueIsTheVeryStringOfTheEnvironmentSoItsSourceCanBeNamed() {
        Map<String, String> env = fresh("REVERB_SCALING_ENABLED", "true", "REDIS_PORT", "70000");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> read(env));
        assertSame(env.get("REDIS_PORT"), e.value());
        assertEquals("environment variable REDIS_PORT", sources(env).of(e.value()));
    }

    @Test
    void thePingTimeoutMustExceedThePingInterval() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> read(fresh("REVERB_SCALING_ENABLED", "true",
                "REDIS_PING_INTERVAL_MS", "1000", "REDIS_PING_TIMEOUT_MS", "1000")));
        assertTrue(e.getMessage().contains("more than scaling.ping_interval_ms (1000)"), e.getMessage());
    }
}
