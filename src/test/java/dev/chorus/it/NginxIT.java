package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pusher.rest.Pusher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * nginx (Debian's, with the proxy config from docker/nginx) load-balancing two Chorus nodes on one
 * Redis: clients connect through it, land on different nodes, and behave as on one server.
 */
class NginxIT {
    @Test
    void clientsThroughNginxOnDifferentNodesActAsOneServer() throws Exception {
        Path nginx = Path.of(run(List.of("bash", "scripts/ensure-nginx.sh")).strip());
        try (RedisProcess redis = RedisProcess.start();
             ChorusProcess a = ClusterIT.node(redis, "nginx-it");
             ChorusProcess b = ClusterIT.node(redis, "nginx-it")) {
            ClusterIT.awaitRelaying(a, b);
            int port = ChorusProcess.freePort();
            Path dir = Files.createTempDirectory("chorus-nginx-");
            Files.writeString(dir.resolve("nginx.conf"), "daemon off;\nmaster_process off;\npid " + dir.resolve("nginx.pid")
                    + ";\nerror_log " + dir.resolve("error.log") + " warn;\nevents {}\nhttp {\n"
                    + "  access_log off;\n  client_body_temp_path " + dir.resolve("body") + ";\n  proxy_temp_path "
                    + dir.resolve("proxy") + ";\n  upstream chorus {\n    server 127.0.0.1:" + a.port + ";\n    server 127.0.0.1:"
                    + b.port + ";\n  }\n"
                    // The proxy file sends to $chorus_node and, when it does not answer, $chorus_other:
                    // here both are the round-robin group (compose sets node names: docker/nginx/nginx.conf).
                    + "  map $host $chorus_node {\n    default chorus;\n  }\n  map $host $chorus_other {\n    default chorus;\n  }\n"
                    + "  server {\n    listen 127.0.0.1:" + port + ";\n    include "
                    + Path.of("docker/nginx/chorus-proxy.conf").toAbsolutePath() + ";\n  }\n}\n");
            Process proxy = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
            try {
                waitForPort(port, proxy, dir);
                Wire.Client first = ClusterIT.present(port, "presence-lb", "ann");
                first.next();
                try (first; Wire.Client second = ClusterIT.present(port, "presence-lb", "bob")) {
                    String roster = second.next();
                    assertTrue(roster.contains("ann") && roster.contains("bob"), roster);
                    assertEquals(ClusterIT.added("presence-lb", "bob"), first.next());
                    assertNotEquals(first.socketId().split("\\.")[0], second.socketId().split("\\.")[0],
                            "round robin put the two clients on different nodes");

                    Pusher sdk = new Pusher("1", "ck", "cs");
                    sdk.setHost("127.0.0.1:" + port);
                    sdk.setEncrypted(false);
                    assertEquals(200, sdk.trigger("presence-lb", "hello", "all").getHttpStatus());
                    assertEquals("{\"event\":\"hello\",\"data\":\"\\\"all\\\"\",\"channel\":\"presence-lb\"}", first.next());
                    assertEquals("{\"event\":\"hello\",\"data\":\"\\\"all\\\"\",\"channel\":\"presence-lb\"}", second.next());
                }
            } finally {
                proxy.destroy();
                proxy.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void waitForPort(int port, Process proxy, Path dir) throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            if (!proxy.isAlive()) {
                throw new AssertionError("nginx exited: " + Files.readString(dir.resolve("nginx.out"))
                        + Files.readString(dir.resolve("error.log")));
            }
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("nginx did not listen");
    }

    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(600, TimeUnit.SECONDS), "ensure-nginx.sh finished");
        assertEquals(0, process.exitValue(), "ensure-nginx.sh: " + out);
        return out;
    }
}
