package dev.chorus.testing;

import dev.chorus.channel.Subscriber;
import dev.chorus.protocol.EncodedFrame;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A socket as a channel sees it, keeping the text of every frame it is handed, in order (small channels
 * deliver on the caller's thread, large ones on the fan-out pool: {@link #frames} is safe to read from any thread).
 */
public final class RecordingSubscriber implements Subscriber {
    public final String id;
    public final List<String> frames = new CopyOnWriteArrayList<>();

    public RecordingSubscriber(String id) {
        this.id = id;
    }

    @Override
    public String socketId() {
        return id;
    }

    @Override
    public void send(EncodedFrame frame) {
        frames.add(frame.text());
    }

    @Override
    public void send(List<EncodedFrame> batch) {
        batch.forEach(this::send);
    }
}
