package dev.chorus.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.app.App;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Whoever waits for a close after flush (a drain) is told exactly once, however the connection ends. */
class CloseAfterFlushTest {
    private final App app = TestApps.app().build();
    private final RecordingTransport transport = new RecordingTransport();
    private final Connection connection = new Connection("1.1", app, transport, FrameLog.SILENT, () -> { });
    private final AtomicInteger told = new AtomicInteger();

    @Test
    void theWaiterIsToldOnceTheTransportWasAskedToCloseAfterTheQueuedFrames() {
        transport.stall();
        connection.send("{\"event\":\"in-flight\"}");
        connection.closeAfterFlush(4200, "bye", told::incrementAndGet);
        assertEquals(0, told.get(), "not while a frame is still in flight");
        assertEquals(-1, transport.closeCode());
    }

    @Test
    void onAWritableSocketTheCloseAndTheWaiterFollowAtOnce() {
        connection.send("{\"event\":\"queued\"}");
        connection.closeAfterFlush(4200, "bye", told::incrementAndGet);
        assertEquals(List.of("{\"event\":\"queued\"}"), transport.frames());
        assertEquals(4200, transport.closeCode());
        assertEquals(1, told.get());
    }

    @Test
    void aCloseDroppedByAnImmediateCloseStillTellsItsWaiter() {
        transport.stall();
        connection.send("{\"event\":\"in-flight\"}");
        connection.closeAfterFlush(4200, "bye", told::incrementAndGet);
        connection.closeNow(4100, "over capacity");
        assertEquals(1, told.get());
        assertEquals(4100, transport.closeCode());
    }

    @Test
    void aCloseAskedOfAnAlreadyClosedConnectionTellsItsWaiterAtOnce() {
        connection.closeAfterFlush(4009, "first", () -> { });
        connection.closeAfterFlush(4200, "second", told::incrementAndGet);
        assertEquals(1, told.get());
        assertEquals(4009, transport.closeCode());
    }
}
