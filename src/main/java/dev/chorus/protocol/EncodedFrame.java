package dev.chorus.protocol;

import java.nio.charset.StandardCharsets;

/**
 * One outbound text frame, encoded to UTF-8 once and shared by every recipient of a fan-out: the
 * bytes are never modified after construction (transports wrap them, they do not copy or change them).
 */
public record EncodedFrame(String text, byte[] utf8) {
    public static EncodedFrame of(String text) {
        return new EncodedFrame(text, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return text;
    }
}
