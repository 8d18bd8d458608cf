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
 * No Docker engine runs here, so the image and compose files are checked statically: they must agree
 * with each other, with the repository, and with the settings Chorus really reads.
 */
class DockerFilesTest {
    private static final Path DOCKER = Path.of("docker");

    @Test
    void dockerfileBuildsFromFilesThatExistAndRunsTheJarAsNonRootWithAHealthCheck() throws Exception {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+) ").matcher(dockerfile);
        int copies = 0;
        while (copy.find()) {
            assertTrue(Files.exists(Path.of(copy.group(1))), "COPY source exists: " + copy.group(1));
            copies++;
        }
        assertTrue(copies >= 3, "pom.xml, src and webapp are copied");
        assertTrue(dockerfile.contains("mvn -B -ntp package -DskipTests"), "builds like the README");
        assertTrue(dockerfile.contains("COPY --from=build /src/target/chorus.jar"), "runs the built jar");
        assertTrue(Pattern.compile("(?m)^USER (?!root)\\S+").matcher(dockerfile).find(), "non-root");
        assertTrue(dockerfile.contains("\"health\"]"), "health check through the jar's own command");
        assertTrue(dockerfile.contains("EXPOSE 8080"));
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
        assertTrue(conf.contains("server chorus-1:8080;") && conf.contains("server chorus-2:8080;"), conf);
        assertTrue(conf.contains("include /etc/nginx/chorus-proxy.conf;"));
        String proxy = Files.readString(DOCKER.resolve("nginx/chorus-proxy.conf"));
        assertTrue(proxy.contains("proxy_set_header Upgrade $http_upgrade;") && proxy.contains("proxy_pass http://chorus;"));
        assertTrue(Files.readString(Path.of("src/test/java/dev/chorus/it/NginxIT.java")).contains("docker/nginx/chorus-proxy.conf"),
                "the IT proxies through the same file");
    }
}
