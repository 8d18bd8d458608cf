package dev.chorus.websocket.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Frames into text messages as the JSR-356 containers assemble them: sizes, fragments, UTF-8. */
class TextAssemblyTest {
    private final TextAssembly assembly = new TextAssembly(10);

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuffer bytes(byte... bytes) {
        return ByteBuffer.wrap(bytes);
    }

    @Test
    void aMessageInOneFrameIsDecodedWhole() throws TextAssembly.Refused {
        assertEquals("héllo €", new TextAssembly(100).frame(true, true, bytes("héllo €")));
    }

    @Test
    void anEmptyFrameIsAnEmptyMessage() throws TextAssembly.Refused {
        assertEquals("", assembly.frame(true, true, null));
        assertEquals("", assembly.frame(true, true, ByteBuffer.allocate(0)));
    }

    @Test
    void fragmentsAreJoinedIntoOneMessage() throws TextAssembly.Refused {
        assertNull(assembly.frame(true, false, bytes("ab")));
        assertNull(assembly.frame(false, false, null));
        assertNull(assembly.frame(false, false, bytes("cd")));
        assertEquals("abcde", assembly.frame(false, true, bytes("e")));
        assertEquals("next", assembly.frame(true, true, bytes("next")), "the next message starts afresh");
    }

    @Test
    void aCharacterSplitAcrossFragmentsIsDecodedOnceWhole() throws TextAssembly.Refused {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        assertNull(assembly.frame(true, false, bytes(Arrays.copyOfRange(euro, 0, 1))));
        assertNull(assembly.frame(false, false, bytes(Arrays.copyOfRange(euro, 1, 2))));
        assertEquals("€", assembly.frame(false, true, bytes(Arrays.copyOfRange(euro, 2, 3))));
    }

    @Test
    void aMessageOfExactlyTheMaximumIsDelivered() throws TextAssembly.Refused {
        assertNull(assembly.frame(true, false, bytes("12345")));
        assertEquals("1234567890", assembly.frame(false, true, bytes("67890")));
    }

    @Test
    void fragmentsOverTheMaximumAreRefusedWith1009AsSoonAsTheyPassIt() throws TextAssembly.Refused {
        assertNull(assembly.frame(true, false, bytes("123456")));
        TextAssembly.Refused refused = assertThrows(TextAssembly.Refused.class,
                () -> assembly.frame(false, false, bytes("78901")));
        assertEquals(1009, refused.code());
        assertEquals("Message too large", refused.reason());
        assertNull(assembly.frame(false, true, bytes("x")), "the rest of the refused message is dropped");
    }

    @Test
    void invalidUtf8InOneFrameIsRefusedWith1007() {
        TextAssembly.Refused refused = assertThrows(TextAssembly.Refused.class,
                () -> assembly.frame(true, true, bytes((byte) '{', (byte) 0xC3, (byte) 0x28, (byte) '}')));
        assertEquals(1007, refused.code());
        assertEquals("Invalid UTF-8", refused.reason());
    }

    @Test
    void invalidUtf8InFragmentsIsRefusedWith1007WhenTheMessageEnds() throws TextAssembly.Refused {
        assertNull(assembly.frame(true, false, bytes((byte) 'a', (byte) 0xE2)));
        TextAssembly.Refused refused = assertThrows(TextAssembly.Refused.class,
                () -> assembly.frame(false, true, bytes((byte) 'b')));
        assertEquals(1007, refused.code());
        assertEquals("ok", assembly.frame(true, true, bytes("ok")));
    }

    @Test
    void anUnfinishedCharacterAtTheEndIsInvalid() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        assertEquals(1007, assertThrows(TextAssembly.Refused.class,
                () -> assembly.frame(true, true, bytes(Arrays.copyOfRange(euro, 0, 2)))).code());
    }

    @Test
    void aContinuationWithoutAStartIsIgnored() throws TextAssembly.Refused {
        assertNull(assembly.frame(false, true, bytes("stray")));
        assertNull(assembly.frame(false, false, bytes("stray")));
    }
}
