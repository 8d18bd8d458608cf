package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code chorus restart}: nodes tell their clients to reconnect (4200) and exit 0, locally or over Redis. */
class RestartIT {
    private static void assertToldToReconnect(RawWebSocket ws) throws Exception {
        List<String> texts = new ArrayList<>();
        RawWebSocket.Frame close = ws.awaitClose(20_000, texts);
        assertEquals(List.of(Wire.error(4200, "Server is restarting, please reconnect")), texts);
        assertEquals(4200, close.closeCode());
    }

    @Test
    void restartMakesALocalNodeDrainItsClientsAndExitZero() throws Exception {
        try (ChorusProcess node = ChorusProcess.start("apps:\n  - id: \"1\"\n    key: rk\n    secret: rs\n")) {
            try (RawWebSocket ws = RawWebSocket.connect(node.port, "/app/rk?protocol=7")) {
                ws.nextText(5_000);
                ChorusProcess command = ChorusProcess.launch(node.dir, Map.of(),
                        List.of("restart", "--config", node.dir.resolve("chorus-test.yaml").toString()));
                assertEquals(0, command.awaitExit(30), command.output());
                assertTrue(command.output().contains("Broadcasting Chorus restart signal"), command.output());
                assertToldToReconnect(ws);
            }
            assertEquals(0, node.awaitExit(30), node.output());
        }
    }

    @Test
    void restartOverRedisReachesEveryNodeOfTheCluster() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
             ChorusProcess a = ClusterIT.node(redis, "restart-it");
             ChorusProcess b = ClusterIT.node(redis, "restart-it")) {
            ClusterIT.awaitRelaying(a, b);
            try (RawWebSocket onA = RawWebSocket.connect(a.port, "/app/ck?protocol=7");
                 RawWebSocket onB = RawWebSocket.connect(b.port, "/app/ck?protocol=7")) {
                onA.nextText(5_000);
                onB.nextText(5_000);
                Path elsewhere = Files.createTempDirectory("chorus-restart-");
                Files.writeString(elsewhere.resolve("chorus.yaml"), ClusterIT.CONFIG);
                ChorusProcess command = ChorusProcess.launch(elsewhere, Map.of("REVERB_SCALING_ENABLED", "true",
                        "REDIS_URL", redis.url(), "REVERB_SCALING_CHANNEL", "restart-it"), List.of("restart"));
                assertEquals(0, command.awaitExit(30), command.output());
                assertTrue(command.output().contains("to 2 listening node(s)"), command.output());
                assertToldToReconnect(onA);
                assertToldToReconnect(onB);
            }
            assertEquals(0, a.awaitExit(30), a.output());
            assertEquals(0, b.awaitExit(30), b.output());
        }
    }
}
