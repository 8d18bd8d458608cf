package dev.chorus.app;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The environment as the loader sees it, noting every name the loader asks for, so that a
 * {@code REVERB_*} or {@code CHORUS_*} variable nobody reads and that is one typo away from one the
 * loader does read can be pointed out. The names the loader asks for are the list of known names: it
 * cannot drift from the code.
 */
final class ReadEnvironment extends AbstractMap<String, String> {
    /**
     * Read by others: Laravel's own REVERB_* for Echo and its config/reverb.php that Chorus has no use
     * for, and the container's JVM options.
     */
    private static final Set<String> ELSEWHERE = Set.of("REVERB_PORT", "REVERB_SCHEME", "REVERB_SERVER",
            "REVERB_PULSE_INGEST_INTERVAL", "REVERB_TELESCOPE_INGEST_INTERVAL", "REVERB_APP_NAME", "CHORUS_JAVA_OPTS");

    private final Map<String, String> env;
    private final Set<String> read = ConcurrentHashMap.newKeySet();

    ReadEnvironment(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public String get(Object name) {
        if (name instanceof String key) {
            read.add(key);
        }
        return env.get(name);
    }

    @Override
    public boolean containsKey(Object name) {
        return get(name) != null;
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return env.entrySet();
    }

    /** Per variable that looks like a mistyped setting: a phrase naming it and the one it is nearest to. */
    List<String> typos() {
        List<String> known = read.stream().filter(ReadEnvironment::ours).toList();
        List<String> lines = new ArrayList<>();
        for (String name : new TreeSet<>(env.keySet())) {
            if (ours(name) && !read.contains(name) && !ELSEWHERE.contains(name)) {
                Suggestions.nearest(name, known).ifPresent(nearest -> lines.add("environment variable " + name
                        + " is not a Chorus setting and is ignored (did you mean " + nearest + "?)"));
            }
        }
        return lines;
    }

    private static boolean ours(String name) {
        return name.startsWith("REVERB_") || name.startsWith("CHORUS_");
    }
}
