package dev.chorus.app;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * "Did you mean": the known name nearest to a mistyped one, for options, config keys and environment
 * variables. Names are compared without case and without {@code -}/{@code _}, so {@code pingInterval}
 * finds {@code ping_interval}; a swap of two neighbouring letters ({@code prot}) counts as one edit.
 */
public final class Suggestions {
    private Suggestions() {
    }

    /** The nearest known name, if one is close enough to be the intended one (ties: the first alphabetically). */
    public static Optional<String> nearest(String typed, Collection<String> known) {
        String wanted = normalise(typed);
        // A third of the name may be wrong (at least one edit): close enough for typos, far enough that
        // 'bogus' suggests nothing rather than 'bench'.
        int allowed = Math.max(1, wanted.length() / 3);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : new TreeSet<>(known)) {
            int distance = distance(wanted, normalise(candidate));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best != null && bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /** {@code " (did you mean X?)"} with the nearest name in the given spelling (prefix + name), or empty. */
    public static String didYouMean(String typed, Collection<String> known, String prefix) {
        return nearest(typed, known).map(name -> " (did you mean " + prefix + name + "?)").orElse("");
    }

    private static String normalise(String name) {
        return name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
