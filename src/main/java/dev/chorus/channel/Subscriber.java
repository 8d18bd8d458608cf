package dev.chorus.channel;

import dev.chorus.protocol.EncodedFrame;
import java.util.List;

/**
 * Something a channel delivers frames to: a connection. The send methods are called from any thread,
 * concurrently, by fan-out loops; they must never block and never throw, so one slow or broken
 * recipient cannot delay or break delivery to the others. Frames are shared with other recipients
 * and never modified.
 */
public interface Subscriber {
    String socketId();

    /** Queues one complete text frame. */
    void send(EncodedFrame frame);

    /** Queues several frames in order; a transport that can writes them together. */
    void send(List<EncodedFrame> frames);
}
