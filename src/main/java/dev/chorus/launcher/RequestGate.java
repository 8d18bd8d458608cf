package dev.chorus.launcher;

import dev.chorus.app.Settings;
import dev.chorus.protocol.ClientAddress;
import dev.chorus.protocol.RequestPaths;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of the launcher: what every request must pass before anything routes it.
 * <ul>
 * <li>A path with more than one reading ({@link RequestPaths}) is refused with a JSON 400.</li>
 * <li>At most {@code max_requests_per_address} requests are in flight per client address (429 above).</li>
 * <li>A request body is read here, without holding a thread while it trickles in: chunks are taken as
 *     they arrive (Jetty's demand callbacks), the whole body must arrive within {@code request_timeout}
 *     and, after its first second, at {@code min_request_data_rate} or faster (408 otherwise), and never
 *     beyond {@code max_request_size} (413). Only a complete body goes on, so nothing after the gate
 *     ever blocks on a client.</li>
 * </ul>
 * WebSocket handshakes pass through (no body; sockets are bounded by the connection caps).
 * <p>Threading: {@link #handle} never blocks. A body that arrived with its headers goes on on the
 * same thread; one that arrives later goes on from the demand callback, which Jetty runs on its pool.
 */
final class RequestGate extends Handler.Wrapper {
    private static final Logger LOG = LoggerFactory.getLogger(RequestGate.class);

    private final Settings.Limits limits;
    private final long maxBody;
    private final ConcurrentHashMap<String, int[]> inFlight = new ConcurrentHashMap<>();

    RequestGate(Handler next, Settings.Limits limits, long maxBody) {
        super(next);
        this.limits = limits;
        this.maxBody = maxBody;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String peer = HeaderDeadline.seen(request);
        String refusal = RequestPaths.refusal(request.getHttpURI().getPath());
        if (refusal != null) {
            JsonAnswer.write(response, callback, 400, refusal, false);
            return true;
        }
        if (isWebSocketHandshake(request)) {
            return super.handle(request, response, callback);
        }
        // Only a trusted proxy's header is read at all (an untrusted one is ignored anyway).
        String client = ClientAddress.isTrusted(peer, limits.trustedProxies())
                ? ClientAddress.of(peer, forwardedFor(request), limits.trustedProxies()) : peer;
        if (!acquire(client)) {
            JsonAnswer.write(response, callback, 429, "Too many requests in flight from this address; the limit is "
                    + limits.maxRequestsPerAddress() + " (max_requests_per_address)", false);
            return true;
        }
        if (limits.maxRequestsPerAddress() > 0 && client != null) {
            callback = new Released(callback, client);
        }
        long length = request.getLength();
        if (length == 0 || (length < 0 && !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING))) {
            return super.handle(request, response, callback);
        }
        if (length > maxBody) {
            JsonAnswer.write(response, callback, 413, "Request body is " + length + " bytes; the limit is " + maxBody
                    + " (max_request_size)", true);
            return true;
        }
        new Body(request, response, callback, length).run();
        return true;
    }

    /**
     * Only a real handshake skips the body and in-flight rules: {@code GET}, {@code Upgrade: websocket},
     * no body. Any other request with an {@code Upgrade} header is served as a plain request by Jetty,
     * so it must pass the gate like one (else a trickled body would hold a pool thread).
     */
    static boolean isWebSocketHandshake(Request request) {
        String upgrade = request.getHeaders().get(HttpHeader.UPGRADE);
        return upgrade != null && upgrade.equalsIgnoreCase("websocket") && "GET".equals(request.getMethod())
                && request.getLength() <= 0 && !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    }

    /**
     * Every {@code X-Forwarded-For} line, joined: proxies that add their own line instead of appending
     * (HAProxy's {@code option forwardfor}) put the hop we must believe last, not first.
     */
    static String forwardedFor(Request request) {
        if (request.getHeaders().get(ClientAddress.FORWARDED_FOR) == null) {
            return null;
        }
        List<String> lines = request.getHeaders().getValuesList(ClientAddress.FORWARDED_FOR);
        return lines.isEmpty() ? null : String.join(",", lines);
    }

    private boolean acquire(String client) {
        int max = limits.maxRequestsPerAddress();
        if (max <= 0 || client == null) {
            return true;
        }
        boolean[] admitted = {false};
        inFlight.compute(client, (address, count) -> {
            int[] current = count == null ? new int[1] : count;
            if (current[0] < max) {
                current[0]++;
                admitted[0] = true;
            }
            return current;
        });
        return admitted[0];
    }

    private void release(String client) {
        if (limits.maxRequestsPerAddress() <= 0 || client == null) {
            return;
        }
        // Entries go when their count does: the map holds only addresses with requests in flight.
        inFlight.computeIfPresent(client, (address, count) -> --count[0] <= 0 ? null : count);
    }

    /** The request's callback, releasing its in-flight slot when the exchange ends either way. */
    private final class Released extends Callback.Nested {
        private final String client;

        Released(Callback callback, String client) {
            super(callback);
            this.client = client;
        }

        @Override
        public void succeeded() {
            release(client);
            super.succeeded();
        }

        @Override
        public void failed(Throwable failure) {
            release(client);
            super.failed(failure);
        }
    }

    /** Requests in flight from this address now (tests and metrics). */
    int inFlight(String client) {
        int[] count = inFlight.get(client);
        return count == null ? 0 : count[0];
    }

    /** One body being read: re-run by Jetty each time more of it has arrived. */
    private final class Body implements Runnable {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final AtomicBoolean done = new AtomicBoolean();
        private final long startNanos = System.nanoTime();
        /** Scheduled only when the body did not come with the headers (the common case costs no timer). */
        private volatile Scheduler.Task deadline;
        private final long length;
        private byte[] bytes;
        private int size;

        Body(Request request, Response response, Callback callback, long length) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.length = length;
            this.bytes = new byte[length > 0 ? (int) length : 1024];
        }

        @Override
        public void run() {
            while (!done.get()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    if (tooSlow()) {
                        refuse(408, "Request body arrived slower than " + limits.minRequestDataRate()
                                + " bytes/s (min_request_data_rate)");
                        return;
                    }
                    if (deadline == null) {
                        long left = limits.requestTimeout().toNanos() - (System.nanoTime() - startNanos);
                        deadline = request.getComponents().getScheduler().schedule(this::expire,
                                Math.max(0, left), TimeUnit.NANOSECONDS);
                    }
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    if (done.compareAndSet(false, true)) {
                        cancelDeadline();
                        // A client that hung up mid-body is routine: one debug line, no trace, no answer.
                        LOG.debug("Request body not completed: {}", String.valueOf(chunk.getFailure()));
                        callback.failed(chunk.getFailure());
                    }
                    return;
                }
                ByteBuffer buffer = chunk.getByteBuffer();
                int arrived = buffer.remaining();
                if (size + (long) arrived > maxBody) {
                    chunk.release();
                    refuse(413, "Request body is over the limit of " + maxBody + " bytes (max_request_size)");
                    return;
                }
                if (size + arrived > bytes.length) {
                    bytes = Arrays.copyOf(bytes, (int) Math.min(maxBody, Math.max(bytes.length * 2L, size + (long) arrived)));
                }
                buffer.get(bytes, size, arrived);
                size += arrived;
                // A body whose announced length has arrived is whole: no need to wait for the parser's end marker.
                boolean last = chunk.isLast() || (length > 0 && size == length);
                chunk.release();
                if (last) {
                    forward();
                    return;
                }
            }
        }

        private void cancelDeadline() {
            Scheduler.Task task = deadline;
            if (task != null) {
                task.cancel();
            }
        }

        private boolean tooSlow() {
            long elapsed = System.nanoTime() - startNanos;
            int rate = limits.minRequestDataRate();
            return rate > 0 && elapsed > TimeUnit.SECONDS.toNanos(1) && size * 1_000_000_000L / elapsed < rate;
        }

        private void expire() {
            refuse(408, "Request not received within " + limits.requestTimeout().toSeconds() + " s (request_timeout)");
        }

        private void refuse(int status, String message) {
            if (done.compareAndSet(false, true)) {
                cancelDeadline();
                JsonAnswer.write(response, callback, status, message, true);
            }
        }

        private void forward() {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            cancelDeadline();
            byte[] body = size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
            try {
                if (!RequestGate.super.handle(new BufferedRequest(request, body), response, callback)) {
                    Response.writeError(request, response, callback, 404);
                }
            } catch (Throwable failure) {
                Response.writeError(request, response, callback, failure);
            }
        }
    }
}
