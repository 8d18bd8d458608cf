package dev.chorus.launcher;

import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/** A request whose body has already arrived whole: what the handlers after the gate read instead. */
final class BufferedRequest extends Request.Wrapper {
    private final byte[] bytes;
    private Content.Chunk body;

    BufferedRequest(Request request, byte[] body) {
        super(request);
        this.bytes = body;
        this.body = Content.Chunk.from(ByteBuffer.wrap(body), true);
    }

    /** The whole body, without copying: handlers in front of the web app read it directly. */
    byte[] bytes() {
        return bytes;
    }

    @Override
    public Content.Chunk read() {
        Content.Chunk next = body;
        if (next == null) {
            return Content.Chunk.EOF;
        }
        body = null;
        return next;
    }

    @Override
    public void demand(Runnable demandCallback) {
        demandCallback.run();
    }
}
