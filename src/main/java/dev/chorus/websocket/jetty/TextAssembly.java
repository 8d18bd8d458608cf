package dev.chorus.websocket.jetty;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Text messages out of the frames of one socket, as the JSR-356 containers assemble them for
 * {@code PusherEndpoint}: fragments joined, the whole checked as UTF-8 (else 1007), and a message over
 * the app's maximum refused (1009). A message in one frame, nearly every Pusher message, is decoded
 * straight from the frame's payload without a copy.
 * <p>Not Jetty's {@code StringMessageSink}: it fails the frame's callback, so Jetty's session writes
 * the close frame itself, past the transport that owns the socket's writes ({@code DirectTransport});
 * and it allocates a builder of the input buffer's size for every message.
 * <p>Threading: one frame at a time, as Jetty delivers them.
 */
final class TextAssembly {
    private final long maxMessage;
    /** Fragments of a message in progress, else null. */
    private ByteArrayOutputStream partial;

    /** Why a message was refused: the close code and reason to send. */
    static final class Refused extends Exception {
        private final int code;

        Refused(int code, String reason) {
            super(reason, null, false, false);
            this.code = code;
        }

        int code() {
            return code;
        }

        String reason() {
            return getMessage();
        }
    }

    /** @param maxMessage the largest message in bytes; frames are bounded by Jetty's max frame size, set to the same */
    TextAssembly(long maxMessage) {
        this.maxMessage = maxMessage;
    }

    /**
     * One text or continuation frame.
     * @param start   true for a text frame, false for a continuation
     * @param payload the frame's payload, null when empty
     * @return the whole message when this frame ends one, else null
     * @throws Refused when the message is over the maximum or not UTF-8: nothing of it is kept
     */
    String frame(boolean start, boolean fin, ByteBuffer payload) throws Refused {
        if (start && fin) {
            return decode(payload);
        }
        if (start) {
            partial = new ByteArrayOutputStream();
        } else if (partial == null) {
            return null; // a continuation without a start: Jetty's parser closes such sockets with 1002
        }
        if (payload != null) {
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            partial.writeBytes(bytes);
        }
        if (partial.size() > maxMessage) {
            partial = null;
            throw new Refused(1009, "Message too large");
        }
        if (!fin) {
            return null;
        }
        ByteBuffer whole = ByteBuffer.wrap(partial.toByteArray());
        partial = null;
        return decode(whole);
    }

    private static String decode(ByteBuffer payload) throws Refused {
        if (payload == null) {
            return "";
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(payload).toString();
        } catch (CharacterCodingException e) {
            throw new Refused(1007, "Invalid UTF-8");
        }
    }
}
