package dev.chorus.launcher;

import dev.chorus.host.HostLink;
import dev.chorus.host.TriggerEntry;
import dev.chorus.protocol.RequestPaths;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Plain {@code POST [/{prefix}]/apps/{id}/events} triggers served in front of the servlet container,
 * through the web app's own checks and publishing code (the {@link TriggerEntry} the web app offers
 * through its {@link HostLink}). The servlet request and response objects, the filter chain and
 * the CDI request context cost about a quarter of a trigger's CPU. Whatever the web app does not
 * accept (a refusal, {@code info}, a form, an unknown length) goes on to it unchanged, body included,
 * so every error answer is the web app's own. It sits behind {@link RequestGate}, which hands on only
 * canonical paths and whole bodies.
 * <p>Threading. {@code inline} (a single node): this handler is of non-blocking invocation type, so
 * Jetty parses and hands each request to it on the selector thread without waking a pool thread
 * (a sixth of a trigger's CPU went to that wake-up); a trigger is published right there (publishing
 * never blocks without Redis; a body that trickled in reaches this handler on a pool thread, from the
 * gate's demand callback); everything else goes down the chain, where {@link PoolHandoff} hands the web app's requests
 * to the pool as Jetty would have done. Not inline (scaling: a cache channel's event is stored in
 * Redis synchronously), Jetty dispatches every request and this handler may block.
 */
final class TriggerHandler extends Handler.Wrapper {
    private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.US_ASCII);

    private final HostLink host;
    private final String prefix;
    private final long maxBody;
    private final boolean inline;

    TriggerHandler(Handler next, HostLink host, String prefix, long maxBody, boolean inline) {
        super(next);
        this.host = host;
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
        TriggerEntry fast = target == null ? null : host.triggers();
        if (fast == null) {
            return super.handle(request, response, callback);
        }
        // The gate in front has read the whole body (it never lets a trickling body through).
        byte[] body = request instanceof BufferedRequest buffered ? buffered.bytes() : new byte[0];
        if (!fast.publish(target, request.getHttpURI().getQuery(), body)) {
            Request replayed = new BufferedRequest(request, body);
            // Tells the web app's own fast path it has been tried: the refusal comes from JAX-RS directly.
            replayed.setAttribute(HostLink.TRIED_ATTRIBUTE, Boolean.TRUE);
            return super.handle(replayed, response, callback);
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, EMPTY_OBJECT.length);
        response.write(true, ByteBuffer.wrap(EMPTY_OBJECT), callback);
        return true;
    }

    /** The path without the route prefix when this may be a plain trigger; else null. */
    private String target(Request request) {
        if (!HttpMethod.POST.is(request.getMethod())) {
            return null;
        }
        String path = request.getHttpURI().getPath();
        path = path == null ? null : RequestPaths.underPrefix(prefix, path);
        if (path == null || RequestPaths.triggerApp(path) == null) {
            return null;
        }
        long length = request.getLength();
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (length < 0 || length > maxBody || (type != null
                && (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/")))) {
            return null;
        }
        return path;
    }
}
