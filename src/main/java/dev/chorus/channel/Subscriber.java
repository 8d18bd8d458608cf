package dev.chorus.channel;

/**
 * Something a channel delivers frames to: a connection. {@link #send} is called from any thread,
 * concurrently, by fan-out loops; it must never block and never throw, so one slow or broken
 * recipient cannot delay or break delivery to the others.
 */
public interface Subscriber {
    String socketId();

    /** Queues one complete text frame, shared with other recipients and never modified. */
    void send(String frame);
}
