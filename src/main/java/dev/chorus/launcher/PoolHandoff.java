package dev.chorus.launcher;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The boundary between the launcher's non-blocking handlers (triggers, WebSocket handshakes, served
 * on Jetty's selector thread) and the web app, whose servlets may block: each request that reaches it
 * is handed to the server's pool, the hand-off Jetty itself makes when any handler may block.
 * <p>Threading: {@link #handle} returns at once; the web app runs on a pool thread and completes
 * the callback there.
 */
final class PoolHandoff extends Handler.Wrapper {
    PoolHandoff(Handler webapp) {
        super(webapp);
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        request.getComponents().getExecutor().execute(() -> {
            try {
                if (!super.handle(request, response, callback)) {
                    Response.writeError(request, response, callback, 404);
                }
            } catch (Throwable failure) {
                Response.writeError(request, response, callback, failure);
            }
        });
        return true;
    }
}
