package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.app.App;
import dev.chorus.app.ClientEventPolicy;
import dev.chorus.app.StaticAppRegistry;
import dev.chorus.broadcast.Broadcaster;
import dev.chorus.broadcast.Broadcasting;
import dev.chorus.connection.Connection;
import dev.chorus.connection.FrameLog;
import dev.chorus.protocol.InboundFrame;
import dev.chorus.protocol.Json;
import dev.chorus.relay.ClusterState;
import dev.chorus.relay.LocalRelay;
import dev.chorus.testing.RecordingTransport;
import dev.chorus.testing.TestApps;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property-based fuzz of the inbound path: any text a client can send is either a frame or a
 * {@code MalformedFrameException}, and the server answers it on the wire without throwing, without a
 * stack trace (to the client or the log) and closing, if at all, only with a defined code.
 */
class InboundFrameFuzzTest {
    /** Close codes the protocol defines for a client's own frames. */
    private static final Set<Integer> DEFINED_CLOSES = Set.of(-1, 4009, 4301);
    private static final App APP = TestApps.app().name("fuzz").clientEvents(ClientEventPolicy.ALL).clientEventRate(0)
            .limits(new App.Limits(5, 0, 1, 50, 5, 10_000)).build();

    @Property(tries = 2_000)
    void anyTextParsesToAFrameOrAMalformedFrameAndNothingElse(@ForAll String text) {
        try {
            InboundFrame frame = InboundFrame.parse(text);
            assertTrue(frame.event() != null);
        } catch (InboundFrame.MalformedFrameException expected) {
            // answered with 4200
        }
    }

    @Property(tries = 2_000)
    void jsonishFramesNeverParseToAnythingButAFrameOrAMalformedFrame(@ForAll("frames") String text) {
        anyTextParsesToAFrameOrAMalformedFrameAndNothingElse(text);
    }

    @Property(tries = 300)
    void theServerAnswersAnySequenceOfFramesWithoutThrowingOrATrace(@ForAll("sequences") List<String> texts) {
        List<LogRecord> traces = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getThrown() != null) {
                    traces.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("dev.chorus");
        logger.addHandler(handler);
        try {
            Broadcasting broadcasting = Broadcasting.of(new LocalRelay("fuzz"), ClusterState.NONE);
            Broadcaster broadcaster = broadcasting.broadcaster();
            PusherServer server = new PusherServer(new StaticAppRegistry(List.of(APP)), broadcasting, FrameLog.SILENT);
            RecordingTransport transport = new RecordingTransport();
            Connection connection = server.open(transport, "key", null, "7");
            for (String text : texts) {
                server.message(connection, text);
            }
            assertTrue(DEFINED_CLOSES.contains(transport.closeCode()), "closed with " + transport.closeCode());
            for (String frame : transport.frames()) {
                assertFalse(frame.contains("Exception") || frame.contains("\tat ") || frame.contains("dev.chorus."),
                        "internals reached the client: " + frame);
            }
            assertEquals(List.of(), traces, "a stack trace was logged");
            server.closed(connection);
            assertEquals(0, broadcaster.channels(APP).channels().stream().filter(c -> !c.isEmpty()).count(),
                    "closing left a subscription behind");
        } finally {
            logger.removeHandler(handler);
        }
    }

    @Provide
    Arbitrary<List<String>> sequences() {
        return Arbitraries.oneOf(frames(), Arbitraries.strings().ofMaxLength(60)).list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<String> frames() {
        Arbitrary<String> events = Arbitraries.oneOf(
                Arbitraries.of("pusher:subscribe", "pusher:unsubscribe", "pusher:ping", "pusher:pong", "pusher:signin",
                        "pusher:nope", "client-x", "client-", "pusher_internal:member_added"),
                Arbitraries.strings().ofMaxLength(30).map(s -> "client-" + s),
                Arbitraries.strings().ofMaxLength(20));
        Arbitrary<String> channels = Arbitraries.oneOf(
                Arbitraries.of("a", "private-a", "presence-a", "private-cache-a", "cache-a", "private-encrypted-a",
                        "#server-to-user-1", "", "presence-", "private-encrypted-cache-x"),
                Arbitraries.strings().ofMaxLength(200));
        Arbitrary<String> values = Arbitraries.oneOf(
                channels.map(Json::quote),
                Arbitraries.of("null", "true", "1", "-0.5e309", "[]", "{}", "[[[[[[[[[[]]]]]]]]]]", "\"\"", "{\"user_id\":1}",
                        "\"{\\\"channel\\\":\\\"a\\\"}\"", "\"{\\\"user_id\\\":\\\"u\\\"}\""),
                Arbitraries.strings().ofMaxLength(40).map(Json::quote));
        Arbitrary<String> data = Arbitraries.oneOf(values,
                Combinators.combine(channels, values, values).as((channel, auth, channelData) ->
                        "{\"channel\":" + Json.quote(channel) + ",\"auth\":" + auth + ",\"channel_data\":" + channelData + "}"),
                Combinators.combine(channels, values).as((channel, auth) ->
                        Json.quote("{\"channel\":" + Json.quote(channel) + ",\"auth\":" + auth + "}")),
                Combinators.combine(values, values).as((auth, userData) ->
                        "{\"auth\":" + auth + ",\"user_data\":" + userData + "}"));
        return Combinators.combine(events, channels, data, Arbitraries.integers().between(0, 7)).as((event, channel, body, shape) ->
                switch (shape) {
                    case 0 -> "{\"event\":" + Json.quote(event) + ",\"data\":" + body + "}";
                    case 1 -> "{\"event\":" + Json.quote(event) + ",\"channel\":" + Json.quote(channel) + ",\"data\":" + body + "}";
                    case 2 -> "{\"event\":" + Json.quote(event) + ",\"channel\":" + body + "}";
                    case 3 -> "{\"event\":" + body + ",\"data\":" + body + "}";
                    case 4 -> "{\"event\":" + Json.quote(event) + ",\"channel\":" + Json.quote(channel) + ",\"data\":" + body;
                    case 5 -> "[" + Json.quote(event) + "]";
                    case 6 -> "{\"event\":" + Json.quote(event) + ",\"event\":1,\"data\":" + body + "}";
                    default -> "{\"event\":" + Json.quote(event) + ",\"data\":" + Json.quote("{\"channel\":"
                            + Json.quote(channel) + "}") + "}";
                });
    }
}
