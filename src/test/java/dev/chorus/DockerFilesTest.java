package dev.chorus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.chorus.app.Settings;
import dev.chorus.app.SettingsLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The image and compose files checked statically, in seconds: they must agree with each other, with the
 * repository, and with the settings Chorus really reads. DockerIT builds and runs them for real.
 */
class DockerFilesTest {
    private static final Path DOCKER = Path.of("docker");

    @Test
    void dockerfileBuildsFromFilesThatExistAndRunsTheJarAsNonRootWithAHealthCheck() throws Exception {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(.+) \\S+$").matcher(dockerfile);
        int copies = 0;
        while (copy.find()) {
            for (String source : copy.group(1).split(" ")) {
                assertTrue(Files.exists(Path.of(source)), "COPY source exists: " + source);
                assertTrue(inContext(source), "COPY source is in the build context (.dockerignore): " + source);
                copies++;
            }
        }
        assertTrue(copies >= 3, "pom.xml, src and webapp are copied");
        assertTrue(dockerfile.contains("mvn -B -ntp -o package -DskipTests"), "builds like the README, offline");
        assertTrue(dockerfile.contains("COPY --from=build /src/target/chorus.jar"), "runs the built jar");
        assertTrue(Pattern.compile("(?m)^USER (?!root)\\S+").matcher(dockerfile).find(), "non-root");
        assertTrue(dockerfile.contains("HEALTHCHECK") && dockerfile.contains("chorus-health") && !dockerfile.contains("\"health\"]"),
                "the health check is the script, not a JVM every interval");
        assertTrue(dockerfile.contains("ENV CHORUS_HEALTH_FILE="), "the server tells the check where it listens");
        assertTrue(dockerfile.contains("EXPOSE 8080"));
        assertTrue(Files.readString(DOCKER.resolve("healthcheck.sh")).contains("curl -fsSk"));
        assertTrue(Files.readString(DOCKER.resolve("entrypoint.sh")).contains("exec java"), "java is PID 1 and gets SIGTERM");
    }

    @Test
    void dependenciesAreResolvedInLayersBeforeTheSourcesAreCopied() throws Exception {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        int sources = dockerfile.indexOf("COPY src src");
        assertTrue(sources > 0, dockerfile);
        assertTrue(dockerfile.indexOf("COPY pom.xml") < sources && dockerfile.indexOf("package-lock.json") < sources);
        int resolve = dockerfile.indexOf("RUN mvn");
        assertTrue(resolve > dockerfile.indexOf("COPY pom.xml") && resolve < sources, "Maven and npm resolve before COPY src");
    }

    @Test
    void theBuildContextLeavesOutBuildOutputNodeModulesAndGit() throws Exception {
        for (String out : new String[] {"target/chorus.jar", "src/main/js/node_modules/x.js", ".git/HEAD", "README.md", "src/test/x.java"}) {
            assertTrue(!inContext(out), out + " stays out of the context");
        }
        for (String in : new String[] {"pom.xml", "src/main/java/dev/chorus/A.java", "webapp/WEB-INF/x", "docker/healthcheck.sh"}) {
            assertTrue(inContext(in), in + " is in the context");
        }
    }

    /** .dockerignore's rules, last match wins, for the patterns this repository uses (**, dir/, !exception). */
    private static boolean inContext(String path) throws Exception {
        boolean included = true;
        for (String line : Files.readAllLines(Path.of(".dockerignore"))) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean exception = line.startsWith("!");
            String pattern = (exception ? line.substring(1) : line).replaceAll("/$", "");
            String regex = pattern.replace(".", "\\.").replace("**/", "\u0001").replace("**", "\u0002").replace("*", "[^/]*")
                    .replace("\u0001", "(.*/)?").replace("\u0002", ".*");
            if (path.matches(regex + "(/.*)?")) {
                included = exception;
            }
        }
        return included;
    }

    @Test
    void composeNodesUseSettingsChorusReadsAndScaleOverTheComposeRedis() throws Exception {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(DOCKER.resolve("compose.yaml").toFile());
        JsonNode services = compose.get("services");
        for (String node : new String[] {"chorus-1", "chorus-2"}) {
            JsonNode environment = services.get(node).get("environment");
            Map<String, String> env = new HashMap<>();
            environment.fields().forEachRemaining(field -> env.put(field.getKey(),
                    field.getValue().asText().replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1")));
            Settings settings = new SettingsLoader(Map.of(), env).load(null);
            assertTrue(settings.scaling().enabled(), node + " scales");
            assertEquals("redis", settings.scaling().host(), node + " uses the compose Redis");
            assertTrue(services.has(settings.scaling().host()), "a service named like the Redis host");
            assertEquals(1, settings.apps().size());
            assertEquals(8080, settings.port());
            assertEquals("docker/Dockerfile", services.get(node).get("build").get("dockerfile").asText());
            String subnet = compose.get("networks").get("chorus").get("ipam").get("config").get(0).get("subnet").asText();
            assertTrue(settings.limits().trustedProxies().contains(subnet), node + " trusts nginx's network " + subnet
                    + ", so per-address limits count clients, not nginx: " + settings.limits().trustedProxies());
            assertTrue(Files.exists(DOCKER.resolve("..").resolve(services.get(node).get("build").get("dockerfile").asText())));
        }
    }

    @Test
    void nginxFrontsBothNodesWithTheProxyFileTheNginxItUses() throws Exception {
        JsonNode nginx = new ObjectMapper(new YAMLFactory()).readTree(DOCKER.resolve("compose.yaml").toFile())
                .get("services").get("nginx");
        String volumes = nginx.get("volumes").toString();
        assertTrue(volumes.contains("./nginx/chorus-proxy.conf:/etc/nginx/chorus-proxy.conf"), volumes);
        assertTrue(volumes.contains("./nginx/nginx.conf:/etc/nginx/nginx.conf"), volumes);
        String conf = Files.readString(DOCKER.resolve("nginx/nginx.conf"));
        assertTrue(conf.contains("chorus-1:8080;") && conf.contains("chorus-2:8080;"), conf);
        assertTrue(conf.contains("resolver 127.0.0.11 valid="), "node names are resolved again, not once at start");
        assertTrue(conf.contains("include /etc/nginx/chorus-proxy.conf;"));
        String proxy = Files.readString(DOCKER.resolve("nginx/chorus-proxy.conf"));
        assertTrue(proxy.contains("proxy_set_header Upgrade $http_upgrade;") && proxy.contains("proxy_pass http://$chorus_node;"));
        assertTrue(Files.readString(Path.of("src/test/java/dev/chorus/it/NginxIT.java")).contains("docker/nginx/chorus-proxy.conf"),
                "the IT proxies through the same file");
    }
}
