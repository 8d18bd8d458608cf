package dev.chorus.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A stock servlet container or application server, unpacked from the archive Maven Central ships,
 * running one of the WARs unmodified at context root {@code /} on a free loopback port, configured
 * only through {@code CHORUS_CONFIG}.
 */
final class ContainerProcess implements AutoCloseable {
    final int port;
    private final Process process;
    private final Path log;

    private ContainerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
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

    private static Path unpack(String archive) throws Exception {
        Path dir = Files.createTempDirectory("chorus-container-");
        run(List.of("tar", "xzf", containers().resolve(archive).toAbsolutePath().toString(), "-C", dir.toString()));
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findFirst().orElseThrow();
        }
    }

    /** Jetty 12.1 from jetty-home, with a copy of the repository's jetty-base and the WAR as ROOT.war. */
    static ContainerProcess jetty(Path config) throws Exception {
        Path home = unpack("jetty-home-12.1.12.tar.gz");
        Path base = Files.createTempDirectory("chorus-jetty-base-");
        copyTree(Path.of("jetty-base"), base);
        Files.createDirectories(base.resolve("webapps"));
        Files.copy(war(false), base.resolve("webapps/ROOT.war"), StandardCopyOption.REPLACE_EXISTING);
        int port = ChorusProcess.freePort();
        return start(base, config, List.of(java(), "-jar", home.resolve("start.jar").toString(),
                "jetty.http.host=127.0.0.1", "jetty.http.port=" + port), Map.of("JETTY_BASE", base.toString()), port);
    }

    /** Tomcat from its tar.gz: HTTP on a free loopback port, no shutdown port, no default apps. */
    static ContainerProcess tomcat(String version, Path config) throws Exception {
        Path home = unpack("tomcat-" + version + ".tar.gz");
        int port = ChorusProcess.freePort();
        Path serverXml = home.resolve("conf/server.xml");
        String xml = Files.readString(serverXml)
                .replace("<Connector port=\"8080\"", "<Connector address=\"127.0.0.1\" port=\"" + port + "\"")
                .replace("<Server port=\"8005\"", "<Server port=\"-1\"");
        Files.writeString(serverXml, xml);
        // The README's recipe, step by step: the stock webapps stay, only Tomcat's own ROOT goes (else its
        // welcome page is served at / instead of Chorus), then the WAR is copied in as ROOT.war.
        Path webapps = home.resolve("webapps");
        run(List.of("rm", "-rf", webapps.resolve("ROOT").toString()));
        Files.copy(war(false), webapps.resolve("ROOT.war"));
        return start(home, config, List.of("bash", home.resolve("bin/catalina.sh").toString(), "run"),
                Map.of("CATALINA_HOME", home.toString(), "CATALINA_BASE", home.toString(),
                        "JAVA_HOME", System.getProperty("java.home")), port);
    }

    /** Payara Micro (a full Jakarta EE 10 server) with chorus-ee.war, which brings no Weld or Jersey. */
    static ContainerProcess payaraMicro(Path config) throws Exception {
        Path work = Files.createTempDirectory("chorus-payara-");
        Path war = work.resolve("ROOT.war");
        Files.copy(war(true), war);
        int port = ChorusProcess.freePort();
        return start(work, config, List.of(java(), "-Xmx512m", "-jar",
                containers().resolve("payara-micro-6.2025.10.jar").toAbsolutePath().toString(),
                "--deploy", war.toString(), "--contextroot", "/", "--port", String.valueOf(port), "--nocluster",
                "--rootdir", work.resolve("root").toString()), Map.of(), port);
    }

    private static ContainerProcess start(Path dir, Path config, List<String> command, Map<String, String> env, int port)
            throws Exception {
        Path log = dir.resolve("chorus-it-container.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("REVERB_") || name.startsWith("CHORUS_"));
        builder.environment().putAll(env);
        builder.environment().put("CHORUS_CONFIG", config.toString());
        ContainerProcess container = new ContainerProcess(builder.start(), port, log);
        container.awaitUp(180);
        return container;
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

    private static void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
