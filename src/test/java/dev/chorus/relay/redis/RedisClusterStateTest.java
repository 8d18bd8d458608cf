package dev.chorus.relay.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.Scaling;
import dev.chorus.relay.ClusterState;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The dirty marking, without a Redis: a port nothing listens on fails every call at once. */
class RedisClusterStateTest {
    private final AtomicBoolean linkUp = new AtomicBoolean(true);
    private final AtomicInteger dirty = new AtomicInteger();

    private RedisClusterState state() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Scaling scaling = new Scaling(true, "test", "127.0.0.1", port, false, null, null, 0, Duration.ofSeconds(30), null,
                Scaling.Link.DEFAULT);
        RedisClusterState state = new RedisClusterState(scaling, "n1", List.of("1"), linkUp::get);
        state.onDirty(dirty::incrementAndGet);
        return state;
    }

    @Test
    void aCountUpdateThatFailsMarksThePartDirtyInsteadOfBeingSkippedSilently() throws Exception {
        try (RedisClusterState state = state()) {
            int before = dirty.get();
            state.connections("1", 1);
            assertTrue(dirty.get() > before);
            before = dirty.get();
            assertEquals(Optional.empty(), state.subscriptions("1", "news", 1));
            assertTrue(dirty.get() > before);
            before = dirty.get();
            assertEquals(Optional.empty(), state.join("1", "presence-a", "u", "{\"id\":\"u\"}", -1));
            assertTrue(dirty.get() > before);
        }
    }

    @Test
    void aWriteSkippedWhileTheLinkIsDownMarksThePartDirty() throws Exception {
        linkUp.set(false);
        try (RedisClusterState state = state()) {
            int before = dirty.get();
            state.connections("1", 1);
            state.cache("1", "cache-a", "frame", 1_000);
            assertEquals(Optional.empty(), state.leave("1", "presence-a", "u"));
            assertEquals(before + 3, dirty.get());
        }
    }

    @Test
    void readsThatFailAnswerEmptySoCallersFallBackToThisNode() throws Exception {
        try (RedisClusterState state = state()) {
            assertEquals(Optional.empty(), state.roster("1", "presence-a"));
            assertEquals(Optional.empty(), state.connectionCount("1"));
            assertEquals(Optional.empty(), state.cached("1", "cache-a"));
        }
    }

    @Test
    void aReReportThatCannotReachRedisThrowsSoItIsRetried() throws Exception {
        try (RedisClusterState state = state()) {
            ClusterState.LocalPart part = new ClusterState.LocalPart(Map.of(), Map.of("1", 2), Map.of());
            assertThrows(RuntimeException.class, () -> state.resync(part));
            linkUp.set(false);
            assertThrows(RuntimeException.class, () -> state.resync(part));
        }
    }

    @Test
    void manyClientThreadsCallingWhileRedisCannotBeReachedAllGetAnAnswerInBoundedTime() throws Exception {
        try (RedisClusterState state = state()) {
            java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(200);
            try {
                List<java.util.concurrent.Future<?>> calls = new java.util.ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    calls.add(threads.submit(() -> state.connections("1", -1)));
                }
                for (java.util.concurrent.Future<?> call : calls) {
                    call.get(20, java.util.concurrent.TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }
        }
    }
}
