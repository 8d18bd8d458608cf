package dev.chorus.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A "copy this, run that" block of the documentation, read from the Markdown file itself, so the test
 * runs what a reader copies and a recipe cannot change without its test running the change.
 *
 * <p>A recipe is the first fenced block after a {@code <!-- recipe: NAME ... -->} comment. Its last
 * line is the one that keeps running (the server); the lines before it set things up.
 */
record Recipe(String name, List<String> lines) {
    static final Path DOCS = Path.of("docs");

    static Recipe read(String docsPage, String name) throws IOException {
        return read(DOCS.resolve(docsPage), name);
    }

    static Recipe read(Path file, String name) throws IOException {
        List<String> all = Files.readAllLines(file);
        int marker = -1;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).trim().startsWith("<!-- recipe: " + name + " ") || all.get(i).trim().equals("<!-- recipe: " + name + " -->")) {
                marker = i;
                break;
            }
        }
        if (marker < 0) {
            throw new AssertionError("no recipe '" + name + "' in " + file);
        }
        int open = marker + 1;
        while (open < all.size() && !all.get(open).startsWith("```")) {
            open++;
        }
        List<String> lines = new ArrayList<>();
        for (int i = open + 1; i < all.size() && !all.get(i).startsWith("```"); i++) {
            if (!all.get(i).isBlank() && !all.get(i).startsWith("#")) {
                lines.add(all.get(i));
            }
        }
        if (lines.isEmpty()) {
            throw new AssertionError("recipe '" + name + "' in " + file + " has no commands");
        }
        return new Recipe(name, List.copyOf(lines));
    }

    /** The same recipe with a literal replaced everywhere: another tested version, or a free port for 8080. */
    Recipe replace(String literal, String replacement) {
        return new Recipe(name, lines.stream().map(line -> line.replace(literal, replacement)).toList());
    }

    /** The recipe without the lines a test leaves out on purpose (to show what happens when a step is skipped). */
    Recipe without(Predicate<String> skipped) {
        return new Recipe(name, lines.stream().filter(skipped.negate()).toList());
    }

    List<String> setup() {
        return lines.subList(0, lines.size() - 1);
    }

    String serve() {
        return lines.get(lines.size() - 1);
    }

    /**
     * A bash script running the recipe: its setup lines, then {@code between} (what a shared build
     * machine must change, such as Tomcat's fixed port; runs with the recipe's exported variables),
     * then the serving line. Fails at the first failing line, like a reader who stops at an error.
     */
    String script(String between) {
        StringBuilder script = new StringBuilder("set -euo pipefail\n");
        setup().forEach(line -> script.append(line).append('\n'));
        script.append(between).append('\n');
        script.append(serve()).append('\n');
        return script.toString();
    }
}
