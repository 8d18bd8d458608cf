package dev.chorus.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A stock servlet container or application server, unpacked from the archive Maven Central ships,
 * running one of the WARs unmodified at context root {@code /}, set up by running the recipe in
 * docs/containers.md as printed (configured through the {@code CHORUS_CONFIG} file its {@code init} wrote).
 */
final class ContainerProcess implements AutoCloseable {
    final int port;
    private final Process process;
    private final Path log;
    private final Path clone;

    private ContainerProcess(Process process, int port, Path log, Path clone) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.clone = clone;
    }

    Path workspace() {
        return clone;
    }

    static Path containers() {
        return Path.of(System.getProperty("containers.dir", "target/containers"));
    }

    static Path war(boolean ee) {
        return Path.of(System.getProperty(ee ? "chorus.ee.war" : "chorus.war", ee ? "target/chorus-ee.war" : "target/chorus.war"));
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Jetty 12.1 from jetty-home: docs/containers.md's recipe, on a free port instead of 8080. */
    static ContainerProcess jetty() throws Exception {
        int port = ChorusProcess.freePort();
        return recipe(Recipe.read("containers.md", "jetty").replace("8080", String.valueOf(port)), ":", port);
    }

    /**
     * Tomcat from its tar.gz with its stock webapps: docs/containers.md's recipe (written for 10.1.59,
     * run for {@code version}). Between unpacking and starting, its connector moves to a free loopback
     * port and its shutdown port is turned off: a shared build machine's needs, not the reader's.
     */
    static ContainerProcess tomcat(String version) throws Exception {
        return tomcat(version, Recipe.read("containers.md", "tomcat"));
    }

    static ContainerProcess tomcat(String version, Recipe recipe) throws Exception {
        return tomcat(version, recipe, true);
    }

    static ContainerProcess tomcat(String version, Recipe recipe, boolean awaitUp) throws Exception {
        return tomcat(version, recipe, awaitUp, Map.of());
    }

    /** With {@code env} added to the recipe's environment (what a reader would export before it). */
    static ContainerProcess tomcat(String version, Recipe recipe, boolean awaitUp, Map<String, String> env) throws Exception {
        int port = ChorusProcess.freePort();
        String between = "sed -i -e 's/<Connector port=\"8080\"/<Connector address=\"127.0.0.1\" port=\"" + port
                + "\"/' -e 's/<Server port=\"8005\"/<Server port=\"-1\"/' \"$CATALINA_HOME/conf/server.xml\"";
        Recipe forVersion = recipe.replace("10.1.59", version);
        ContainerProcess container = launch(forVersion, between, port, env);
        if (awaitUp) {
            container.awaitUp(180);
        }
        return container;
    }

    /** Payara Micro (a full Jakarta EE 10 server) with chorus-ee.war: docs/containers.md's recipe. */
    static ContainerProcess payaraMicro() throws Exception {
        int port = ChorusProcess.freePort();
        return recipe(Recipe.read("containers.md", "payara").replace("8080", String.valueOf(port)), ":", port);
    }

    /**
     * Runs a recipe in a new directory standing for a fresh clone after its build: {@code target/} is
     * the suite's own build (linked, read only) and the archives lie where a reader downloads them. The
     * recipe's {@code mvn} line meets a stand-in that accepts exactly the documented build command,
     * since the suite has just run that build.
     */
    static ContainerProcess recipe(Recipe recipe, String between, int port) throws Exception {
        ContainerProcess container = launch(recipe, between, port);
        container.awaitUp(180);
        return container;
    }

    /** The recipe started without waiting for it to serve (for deployments expected to fail). */
    static ContainerProcess launch(Recipe recipe, String between, int port) throws Exception {
        return launch(recipe, between, port, Map.of());
    }

    static ContainerProcess launch(Recipe recipe, String between, int port, Map<String, String> env) throws Exception {
        Path clone = Files.createTempDirectory("chorus-recipe-");
        Files.createSymbolicLink(clone.resolve("target"), war(false).toAbsolutePath().getParent());
        copyTree(Path.of("jetty-base"), clone.resolve("jetty-base"));
        try (Stream<Path> archives = Files.list(containers())) {
            for (Path archive : (Iterable<Path>) archives::iterator) {
                Files.createSymbolicLink(clone.resolve(archive.getFileName()), archive.toAbsolutePath());
            }
        }
        Path bin = Files.createDirectories(clone.resolve(".recipe-bin"));
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\n[ \"$*\" = \"-B -ntp package -DskipTests\" ] || { echo \"the recipe runs mvn $*:"
                + " not the build this suite made\" >&2; exit 1; }\necho \"(mvn $*: built by the suite itself)\"\n");
        mvn.toFile().setExecutable(true);
        Path log = clone.resolve("recipe.log");
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", recipe.script(between)).directory(clone.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("REVERB_") || name.startsWith("CHORUS_")
                || name.equals("CATALINA_HOME") || name.equals("CATALINA_BASE") || name.equals("JETTY_BASE"));
        String javaHome = System.getProperty("java.home");
        builder.environment().put("JAVA_HOME", javaHome);
        // The JVMs a recipe starts put their files (Jetty's and Payara's work directories) where the suite's go.
        builder.environment().put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        builder.environment().put("PATH", bin + ":" + Path.of(javaHome, "bin") + ":" + System.getenv("PATH"));
        builder.environment().putAll(env);
        return new ContainerProcess(builder.start(), port, log, clone);
    }

    /** The app id, key and secret the recipe's {@code init} wrote. */
    ContainerScenario.Credentials credentials() {
        var app = new dev.chorus.app.SettingsLoader(Map.of(dev.chorus.app.SettingsLoader.FLAG_CONFIG,
                clone.resolve("chorus.yaml").toString()), Map.of()).load(null).apps().get(0);
        return new ContainerScenario.Credentials(app.id(), app.key(), app.secret());
    }

    private void awaitUp(int seconds) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("container exited:\n" + output());
            }
            try {
                HttpResponse<String> up = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/up"))
                        .timeout(java.time.Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (up.statusCode() == 200 && up.body().contains("OK")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no /up from the container within " + seconds + " s:\n" + output());
    }

    /** The log once it holds {@code text}: what a failing deployment says, waited for as it is written. */
    String awaitOutput(String text, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            boolean exited = !process.isAlive();
            String output = output();
            if (output.contains(text)) {
                return output;
            }
            if (exited) {
                throw new AssertionError("exited without '" + text + "' in the log:\n" + output);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' in the log within " + seconds + " s:\n" + output());
    }

    /** The recipe's exit status, once it has stopped. */
    int awaitExit(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("still running after " + seconds + " s:\n" + output());
        }
        return process.exitValue();
    }

    /** The recipe's shell and everything it started. */
    Stream<ProcessHandle> processes() {
        return Stream.concat(Stream.of(process.toHandle()), process.descendants());
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    @Override
    public void close() throws Exception {
        // The recipe's shell may have the server as a child (`cd jetty-base && java ...`): stop it too.
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException stuck) {
                handle.destroyForcibly();
            }
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        // What the run unpacked (a Tomcat, a Payara root) is ~100 MB: a suite must not leave it behind.
        try (Stream<Path> paths = Files.walk(clone)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
