package dev.chorus.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One outbound text message, encoded once and shared by every recipient of a fan-out: {@code wire}
 * is the whole unmasked WebSocket frame (FIN, opcode text, length, UTF-8 payload), identical for
 * every server-to-client socket, so a transport that owns its socket writes it as it is. The bytes
 * are never modified after construction: transports wrap them, they do not copy or change them.
 *
 * @param change for a presence member frame, the roster change it announces (fan-out leaves it out for
 *               subscribers that already have it); null for every other frame
 */
public record EncodedFrame(String text, byte[] wire, int payloadOffset, RosterChange change) {
    public static EncodedFrame of(String text) {
        return of(text, null);
    }

    /** A presence member frame, which fan-out filters per subscriber by {@code change}. */
    public static EncodedFrame of(String text, RosterChange change) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int length = utf8.length;
        int header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
        byte[] wire = new byte[header + length];
        wire[0] = (byte) 0x81;
        if (length < 126) {
            wire[1] = (byte) length;
        } else if (length < 65_536) {
            wire[1] = 126;
            wire[2] = (byte) (length >>> 8);
            wire[3] = (byte) length;
        } else {
            wire[1] = 127;
            for (int i = 0; i < 8; i++) {
                wire[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
            }
        }
        System.arraycopy(utf8, 0, wire, header, length);
        return new EncodedFrame(text, wire, header, change);
    }

    /** The UTF-8 payload alone, as a buffer of the caller's own over the shared bytes. */
    public ByteBuffer payload() {
        return ByteBuffer.wrap(wire, payloadOffset, wire.length - payloadOffset).slice();
    }

    /** The whole frame, as a buffer of the caller's own over the shared bytes. */
    public ByteBuffer frame() {
        return ByteBuffer.wrap(wire);
    }

    @Override
    public String toString() {
        return text;
    }
}
