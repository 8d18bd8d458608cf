package dev.chorus.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * The local restart signal: {@code chorus restart} rewrites {@code .chorus-restart} beside the config
 * file (or in the working directory), and every node started from there notices the change within
 * two seconds. Nodes on other machines hear it over Redis instead.
 */
public final class RestartFile {
    public static final String NAME = ".chorus-restart";

    private final Path path;
    private final FileTime seenAtStart;

    public RestartFile(Path path) {
        this.path = path;
        this.seenAtStart = modified();
    }

    public static Path beside(Path configFile) {
        Path dir = configFile == null ? null : configFile.toAbsolutePath().getParent();
        return (dir == null ? Path.of("").toAbsolutePath() : dir).resolve(NAME);
    }

    public Path path() {
        return path;
    }

    public boolean requested() {
        FileTime now = modified();
        return now != null && (seenAtStart == null || now.compareTo(seenAtStart) > 0);
    }

    /** What {@code chorus restart} does locally. */
    public static void signal(Path path) throws IOException {
        Files.writeString(path, Instant.now().toString() + "\n");
        Files.setLastModifiedTime(path, FileTime.fromMillis(System.currentTimeMillis()));
    }

    private FileTime modified() {
        try {
            return Files.isRegularFile(path) ? Files.getLastModifiedTime(path) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
