package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.metrics.Metrics;
import dev.chorus.protocol.PusherError;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.LocalRelay;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DrainTest {
    private final App app = TestApps.app().build();
    private final Broadcasting broadcasting = Broadcasting.of(new LocalRelay("test"), ClusterState.NONE);
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final Disconnect disconnect = new Disconnect(registry, broadcasting.membership(),
            new Watchlists(broadcasting.membership(), broadcasting.occupancy()),
            Admission.UNLIMITED, Metrics.NONE, FrameLog.SILENT);
    private final Drain drain = new Drain(registry, disconnect);

    private Connection open(RecordingTransport transport) {
        Connection connection = new Connection("1." + registry.reserve(app), app, transport, FrameLog.SILENT, () -> { });
        registry.add(connection);
        return connection;
    }

    private static long millisOf(Runnable action) {
        long start = System.nanoTime();
        action.run();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void everyClientIsToldToReconnectAfterWhatWasQueuedAndClosedWith4200() {
        RecordingTransport first = new RecordingTransport();
        RecordingTransport second = new RecordingTransport();
        open(first).send("{\"event\":\"queued\"}");
        open(second);
        drain.drain(PusherError.SERVER_RESTARTING, 1_000);
        assertEquals(List.of("{\"event\":\"queued\"}", PusherError.SERVER_RESTARTING.frame()), first.frames());
        assertEquals(List.of(PusherError.SERVER_RESTARTING.frame()), second.frames());
        assertEquals(4200, first.closeCode());
        assertEquals(4200, second.closeCode());
        assertEquals(0, registry.connectionCount());
    }

    @Test
    void whenEveryFrameHasLeftItReturnsWithoutWaitingOutItsBudget() {
        for (int i = 0; i < 100; i++) {
            open(new RecordingTransport());
        }
        long took = millisOf(() -> drain.drain(PusherError.SERVER_RESTARTING, 10_000));
        assertTrue(took < 2_000, "took " + took + " ms of a 10 s budget");
    }

    @Test
    void aClientThatStoppedReadingIsWaitedForOnlyUntilTheBudgetRunsOut() {
        RecordingTransport stuck = new RecordingTransport();
        Connection connection = open(stuck);
        stuck.stall();
        connection.send("{\"event\":\"never-written\"}");
        long took = millisOf(() -> drain.drain(PusherError.SERVER_RESTARTING, 300));
        assertTrue(took >= 250 && took < 5_000, "took " + took + " ms of a 300 ms budget");
        assertEquals(-1, stuck.closeCode(), "its close waits behind the stuck write");
        assertTrue(connection.isClosed(), "cleaned up all the same");
    }

    @Test
    void drainingAgainFindsNothingToClose() {
        RecordingTransport transport = new RecordingTransport();
        open(transport);
        drain.drain(PusherError.SERVER_RESTARTING, 1_000);
        transport.take();
        long took = millisOf(() -> drain.drain(PusherError.SERVER_RESTARTING, 1_000));
        assertEquals(List.of(), transport.frames());
        assertTrue(took < 500, "took " + took + " ms");
    }
}
