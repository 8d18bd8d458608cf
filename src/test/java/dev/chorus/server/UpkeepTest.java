package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.app.App;
import dev.chorus.app.RestartFile;
import dev.chorus.app.StaticAppRegistry;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.connection.FrameLog;
import dev.chorus.host.HostLink;
import dev.chorus.protocol.PusherError;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.LocalRelay;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's clock and its restarts, driven by hand. */
class UpkeepTest {
    private final App app = TestApps.app().build();
    private final Broadcasting broadcasting = Broadcasting.of(new LocalRelay("here"), ClusterState.NONE);
    private final PusherServer server = new PusherServer(new StaticAppRegistry(List.of(app)), broadcasting, FrameLog.SILENT);

    @TempDir
    Path dir;

    private RecordingTransport connected() {
        RecordingTransport transport = new RecordingTransport();
        server.open(transport, app.key(), null, "7");
        return transport;
    }

    @Test
    void aRestartTellsEveryClientToReconnectAndHandsTheProcessToTheHost() {
        RecordingTransport client = connected();
        AtomicInteger hostRestarts = new AtomicInteger();
        Upkeep upkeep = new Upkeep(server, broadcasting.broadcaster(), new RestartFile(dir.resolve(RestartFile.NAME)));
        upkeep.hostedBy(new HostLink(Map.of(), Map::of, hostRestarts::incrementAndGet));

        upkeep.restart("a test");
        upkeep.restart("a second request while the first one stands");

        assertEquals(PusherError.SERVER_RESTARTING.code(), client.closeCode());
        assertEquals(1, hostRestarts.get(), "one restart, however often it is asked for");
    }

    @Test
    void withoutAHostARestartOnlyDrainsAndMayBeAskedForAgain() {
        Upkeep upkeep = new Upkeep(server, broadcasting.broadcaster(), new RestartFile(dir.resolve(RestartFile.NAME)));
        upkeep.restart("a test");
        RecordingTransport later = connected();

        upkeep.restart("a second test");

        assertEquals(PusherError.SERVER_RESTARTING.code(), later.closeCode());
    }

    @Test
    void theRestartFileIsNoticedOnTheSecondTickAndTheHostAskedOnce() throws Exception {
        RecordingTransport client = connected();
        Path file = dir.resolve(RestartFile.NAME);
        AtomicInteger hostRestarts = new AtomicInteger();
        Upkeep upkeep = new Upkeep(server, broadcasting.broadcaster(), new RestartFile(file));
        upkeep.hostedBy(new HostLink(Map.of(), Map::of, hostRestarts::incrementAndGet));
        RestartFile.signal(file);

        upkeep.tick();
        assertEquals(0, hostRestarts.get(), "looked for every other second");
        upkeep.tick();

        assertEquals(1, hostRestarts.get());
        assertEquals(PusherError.SERVER_RESTARTING.code(), client.closeCode());
        upkeep.tick();
        upkeep.tick();
        assertEquals(1, hostRestarts.get(), "the host is stopping the process: asked once");
    }
}
