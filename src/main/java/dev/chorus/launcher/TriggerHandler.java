package dev.chorus.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BiPredicate;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Plain {@code POST [/{prefix}]/apps/{id}/events} triggers served in front of the servlet container,
 * through the web app's own checks and publishing code (the {@code dev.chorus.trigger} attribute that
 * {@code TriggerFastPath} publishes). The servlet request and response objects, the filter chain and
 * the CDI request context cost about a quarter of a trigger's CPU. Whatever the web app does not
 * accept (a refusal, {@code info}, a form, an unknown length) goes on to it unchanged, body included,
 * so every error answer is the web app's own.
 * <p>Threading. {@code inline} (a single node): this handler is of non-blocking invocation type, so
 * Jetty parses and hands each request to it on the selector thread without waking a pool thread
 * (a sixth of a trigger's CPU went to that wake-up); a trigger whose body has arrived is published
 * right there (publishing never blocks without Redis); a body still on its way is waited for on the
 * pool; everything else goes down the chain, where {@link PoolHandoff} hands the web app's requests
 * to the pool as Jetty would have done. Not inline (scaling: a cache channel's event is stored in
 * Redis synchronously), Jetty dispatches every request and this handler may block.
 */
final class TriggerHandler extends Handler.Wrapper {
    /** {@code TriggerFastPath.CORE_ATTRIBUTE}: the launcher does not depend on the web app's classes. */
    static final String ATTRIBUTE = "dev.chorus.trigger";
    private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.US_ASCII);

    private final WebAppContext context;
    private final String prefix;
    private final long maxBody;
    private final boolean inline;
    private volatile BiPredicate<String[], byte[]> triggers;

    TriggerHandler(Handler next, WebAppContext context, String prefix, long maxBody, boolean inline) {
        super(next);
        this.context = context;
        this.prefix = prefix;
        this.maxBody = maxBody;
        this.inline = inline;
    }

    @Override
    public InvocationType getInvocationType() {
        return inline ? InvocationType.NON_BLOCKING : super.getInvocationType();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String target = target(request);
        BiPredicate<String[], byte[]> fast = target == null ? null : triggers();
        if (fast == null) {
            return super.handle(request, response, callback);
        }
        if (!inline) {
            return trigger(fast, target, request, response, callback, readAll(request, null));
        }
        // What has arrived, without waiting: a trigger's body almost always comes with its headers.
        ByteArrayOutputStream partial = new ByteArrayOutputStream();
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null || Content.Chunk.isFailure(chunk)) {
                // The rest is still on its way (or the read failed): the pool waits for it, not the selector.
                request.getComponents().getExecutor().execute(() -> {
                    try {
                        if (!trigger(fast, target, request, response, callback, readAll(request, partial))) {
                            Response.writeError(request, response, callback, 404);
                        }
                    } catch (Throwable failure) {
                        Response.writeError(request, response, callback, failure);
                    }
                });
                return true;
            }
            append(partial, chunk.getByteBuffer());
            chunk.release();
            if (chunk.isLast()) {
                return trigger(fast, target, request, response, callback, partial.toByteArray());
            }
        }
    }

    private boolean trigger(BiPredicate<String[], byte[]> fast, String target, Request request, Response response,
                            Callback callback, byte[] body) throws Exception {
        if (!fast.test(new String[] {target, request.getHttpURI().getQuery()}, body)) {
            Request replayed = new Replayed(request, body);
            // Tells the web app's own fast path it has been tried: the refusal comes from JAX-RS directly.
            replayed.setAttribute(ATTRIBUTE, Boolean.TRUE);
            return super.handle(replayed, response, callback);
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, EMPTY_OBJECT.length);
        response.write(true, ByteBuffer.wrap(EMPTY_OBJECT), callback);
        return true;
    }


    private static byte[] readAll(Request request, ByteArrayOutputStream start) throws IOException {
        ByteBuffer rest = Content.Source.asByteBuffer(request);
        ByteArrayOutputStream all = start == null ? new ByteArrayOutputStream(rest.remaining()) : start;
        append(all, rest);
        return all.toByteArray();
    }

    private static void append(ByteArrayOutputStream out, ByteBuffer bytes) {
        if (bytes.hasArray()) {
            out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            bytes.position(bytes.limit());
        } else {
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            out.write(copy, 0, copy.length);
        }
    }

    /** The path without the route prefix when this may be a plain trigger; else null. */
    private String target(Request request) {
        if (!HttpMethod.POST.is(request.getMethod())) {
            return null;
        }
        String path = request.getHttpURI().getPath();
        if (path == null || !path.endsWith("/events")) {
            return null;
        }
        if (!prefix.isEmpty()) {
            if (!path.startsWith(prefix + "/")) {
                return null;
            }
            path = path.substring(prefix.length());
        }
        long length = request.getLength();
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (!path.startsWith("/apps/") || length < 0 || length > maxBody || (type != null
                && (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/")))) {
            return null;
        }
        return path;
    }

    @SuppressWarnings("unchecked")
    private BiPredicate<String[], byte[]> triggers() {
        BiPredicate<String[], byte[]> known = triggers;
        if (known == null && context.getServletContext().getAttribute(ATTRIBUTE) instanceof BiPredicate<?, ?> published) {
            known = (BiPredicate<String[], byte[]>) published;
            triggers = known;
        }
        return known;
    }

    /** The request as it came, with the body already read: what the web app reads instead. */
    private static final class Replayed extends Request.Wrapper {
        private Content.Chunk body;

        Replayed(Request request, byte[] body) {
            super(request);
            this.body = Content.Chunk.from(ByteBuffer.wrap(body), true);
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
}
