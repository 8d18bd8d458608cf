package dev.chorus.webhook;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on loopback that answers with a chosen status, can hold requests until
 * released, and counts requests in flight (the highest figure too) and in total.
 */
final class LoopbackReceiver implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    final AtomicInteger status = new AtomicInteger(200);
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicInteger total = new AtomicInteger();
    private volatile CountDownLatch hold = new CountDownLatch(0);

    LoopbackReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            total.incrementAndGet();
            try {
                exchange.getRequestBody().readAllBytes();
                hold.await(20, TimeUnit.SECONDS);
                exchange.sendResponseHeaders(status.get(), -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
                exchange.close();
            }
        });
        server.start();
    }

    URI url(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery);
    }

    /** Requests wait until {@link #release()}. */
    void holdRequests() {
        hold = new CountDownLatch(1);
    }

    void release() {
        hold.countDown();
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        threads.shutdownNow();
    }
}
