package dev.chorus.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EncodedFrameTest {
    private static byte[] header(EncodedFrame frame) {
        return Arrays.copyOf(frame.wire(), frame.payloadOffset());
    }

    @Test
    void shortMessageHasTheTwoByteHeaderOfAFinalUnmaskedTextFrame() {
        EncodedFrame frame = EncodedFrame.of("{\"event\":\"é\"}");
        assertArrayEquals(new byte[] {(byte) 0x81, 14}, header(frame));
        assertEquals("{\"event\":\"é\"}", StandardCharsets.UTF_8.decode(frame.payload()).toString());
    }

    @Test
    void lengthsFrom126To65535UseTheSixteenBitLength() {
        assertArrayEquals(new byte[] {(byte) 0x81, 125}, header(EncodedFrame.of("a".repeat(125))));
        assertArrayEquals(new byte[] {(byte) 0x81, 126, 0, 126}, header(EncodedFrame.of("a".repeat(126))));
        assertArrayEquals(new byte[] {(byte) 0x81, 126, (byte) 0xFF, (byte) 0xFF}, header(EncodedFrame.of("a".repeat(65_535))));
    }

    @Test
    void longerMessagesUseTheSixtyFourBitLength() {
        EncodedFrame frame = EncodedFrame.of("a".repeat(65_536));
        assertArrayEquals(new byte[] {(byte) 0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}, header(frame));
        assertEquals(10 + 65_536, frame.wire().length);
    }

    @Test
    void everyRecipientGetsItsOwnBufferOverTheSameBytes() {
        EncodedFrame frame = EncodedFrame.of("hello");
        ByteBuffer first = frame.frame();
        first.position(first.limit());
        ByteBuffer second = frame.frame();
        assertEquals(7, second.remaining());
        assertEquals(5, frame.payload().remaining());
    }
}
