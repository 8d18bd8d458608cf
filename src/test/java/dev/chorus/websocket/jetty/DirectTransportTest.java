package dev.chorus.websocket.jetty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.EncodedFrame;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.io.ByteArrayEndPoint;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.junit.jupiter.api.Test;

/** On Jetty's in-memory endpoint: what reaches the wire, in which order, and when Jetty may write. */
class DirectTransportTest {
    /** Jetty's session as far as the transport uses it: closes and aborts are recorded. */
    private static final class Session extends CoreSession.Empty {
        final List<CloseStatus> closes = new ArrayList<>();
        boolean aborted;

        @Override
        public void close(CloseStatus status, Callback callback) {
            closes.add(status);
            callback.succeeded();
        }

        @Override
        public void abort() {
            aborted = true;
        }
    }

    private final Session session = new Session();

    private static byte[] drain(ByteArrayEndPoint endPoint) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < 10_000; i++) {
            ByteBuffer out = endPoint.takeOutput();
            if (!out.hasRemaining()) {
                break;
            }
            byte[] bytes = new byte[out.remaining()];
            out.get(bytes);
            all.writeBytes(bytes);
        }
        return all.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    /** Our ping frame at {@code offset}: opcode 9, FIN, an 8-byte token as payload. */
    private static byte[] ping(byte[] wire, int offset) {
        assertEquals((byte) 0x89, wire[offset]);
        assertEquals(8, wire[offset + 1]);
        return java.util.Arrays.copyOfRange(wire, offset, offset + 10);
    }

    @Test
    void eachMessageGoesOutAsItsSharedFrameBytes() {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 1_024);
        DirectTransport transport = new DirectTransport(session, endPoint, Duration.ofSeconds(30));
        EncodedFrame first = EncodedFrame.of("{\"event\":\"a\"}");
        EncodedFrame second = EncodedFrame.of("{\"event\":\"b\"}");
        List<Throwable> done = new ArrayList<>();
        transport.send(first, done::add);
        transport.sendAll(List.of(second, first), done::add);
        assertEquals(java.util.Arrays.asList(null, null), done);
        assertArrayEquals(concat(first.wire(), second.wire(), first.wire()), drain(endPoint));
    }

    @Test
    void pingAndPongWaitBehindAWriteInFlightAndKeepTheirOrder() {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 8);
        DirectTransport transport = new DirectTransport(session, endPoint, Duration.ofSeconds(30));
        EncodedFrame message = EncodedFrame.of("x".repeat(40));
        List<Throwable> done = new ArrayList<>();
        transport.send(message, done::add);
        assertTrue(done.isEmpty(), "the socket took only 8 bytes: the write is in flight");
        transport.ping();
        transport.pong(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)));
        byte[] wire = drain(endPoint);
        assertEquals(1, done.size());
        assertNull(done.get(0));
        assertArrayEquals(concat(message.wire(), ping(wire, message.wire().length), new byte[] {(byte) 0x8A, 2, 'h', 'i'}), wire);
    }

    @Test
    void aMessageSentWhileAPingIsInFlightFollowsIt() {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 1);
        DirectTransport transport = new DirectTransport(session, endPoint, Duration.ofSeconds(30));
        transport.ping();
        EncodedFrame message = EncodedFrame.of("{}");
        List<Throwable> done = new ArrayList<>();
        transport.send(message, done::add);
        assertTrue(done.isEmpty());
        byte[] wire = drain(endPoint);
        assertArrayEquals(concat(ping(wire, 0), message.wire()), wire);
        assertEquals(1, done.size());
    }

    @Test
    void closeWaitsForTheWriteInFlightThenLetsJettyWriteTheCloseFrame() {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 8);
        DirectTransport transport = new DirectTransport(session, endPoint, Duration.ofSeconds(30));
        transport.send(EncodedFrame.of("y".repeat(40)), failure -> { });
        transport.close(4100, "Over capacity");
        assertTrue(session.closes.isEmpty(), "Jetty must not write while a write of ours is in flight");
        drain(endPoint);
        assertEquals(1, session.closes.size());
        assertEquals(4100, session.closes.get(0).getCode());
        transport.close(4100, "Over capacity");
        assertEquals(1, session.closes.size(), "close is idempotent");
    }

    @Test
    void afterCloseNothingMoreIsWrittenAndSendsFail() {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 1_024);
        DirectTransport transport = new DirectTransport(session, endPoint, Duration.ofSeconds(30));
        transport.close(4200, "Server is restarting, please reconnect");
        List<Throwable> done = new ArrayList<>();
        transport.send(EncodedFrame.of("{}"), done::add);
        transport.ping();
        assertEquals(1, done.size());
        assertNotNull(done.get(0));
        assertEquals(0, drain(endPoint).length);
    }

    @Test
    void aFailedWriteFailsTheSendAndAbortsTheSession() {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 1_024);
        endPoint.close();
        DirectTransport transport = new DirectTransport(session, endPoint, Duration.ofSeconds(30));
        List<Throwable> done = new ArrayList<>();
        transport.send(EncodedFrame.of("{}"), done::add);
        assertEquals(1, done.size());
        assertNotNull(done.get(0));
        assertTrue(session.aborted);
    }

    @Test
    void aClientThatPingsWithoutReadingHasAtMostOnePongWaitingTheLatest() {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 8);
        DirectTransport transport = new DirectTransport(session, endPoint, Duration.ofSeconds(30));
        EncodedFrame message = EncodedFrame.of("z".repeat(40));
        transport.send(message, failure -> { });
        for (int i = 0; i < 50_000; i++) {
            transport.pong(ByteBuffer.wrap(("p" + i).getBytes(StandardCharsets.US_ASCII)));
        }
        assertEquals(1, transport.waitingControlFrames(), "older pongs were replaced, not queued");
        transport.ping();
        transport.ping();
        assertEquals(2, transport.waitingControlFrames(), "our ping and one pong, whatever the client sends");
        byte[] wire = drain(endPoint);
        byte[] last = "p49999".getBytes(StandardCharsets.US_ASCII);
        byte[] pong = concat(new byte[] {(byte) 0x8A, (byte) last.length}, last);
        assertArrayEquals(concat(message.wire(), ping(wire, message.wire().length), pong), wire);
    }

    @Test
    void onlyAPongThatEchoesOurPingAnswersIt() {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 1_024);
        DirectTransport transport = new DirectTransport(session, endPoint, Duration.ofSeconds(30));
        transport.ping();
        byte[] ping = ping(drain(endPoint), 0);
        assertTrue(transport.answersPing(ByteBuffer.wrap(ping, 2, 8)));
        assertFalse(transport.answersPing(ByteBuffer.allocate(0)), "an empty, unsolicited pong proves nothing");
        assertFalse(transport.answersPing(ByteBuffer.allocate(8)));
        assertFalse(transport.answersPing(null));
    }

    @Test
    void aWriteStuckPastTheWriteTimeoutFailsItsSendAndAbortsTheSession() {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 8);
        DirectTransport transport = new DirectTransport(session, endPoint, Duration.ofSeconds(30));
        List<Throwable> done = new ArrayList<>();
        transport.send(EncodedFrame.of("w".repeat(40)), done::add);
        long start = 5_000_000_000L;
        transport.checkWrite(start);
        transport.checkWrite(start + Duration.ofSeconds(29).toNanos());
        assertTrue(done.isEmpty());
        assertFalse(session.aborted);
        transport.checkWrite(start + Duration.ofSeconds(31).toNanos());
        assertEquals(1, done.size());
        assertNotNull(done.get(0));
        assertTrue(session.aborted);
    }

    @Test
    void writesThatKeepCompletingAreNeverStuck() {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 8);
        DirectTransport transport = new DirectTransport(session, endPoint, Duration.ofSeconds(1));
        long now = 0;
        for (int i = 0; i < 5; i++) {
            transport.send(EncodedFrame.of("v".repeat(40)), failure -> { });
            // Each check finds another write in flight than the last: progress, however slow the checks.
            transport.checkWrite(now);
            now += Duration.ofSeconds(2).toNanos();
            drain(endPoint);
        }
        transport.checkWrite(now + Duration.ofSeconds(10).toNanos());
        assertFalse(session.aborted);
    }
}
