package dev.chorus.launcher.bench;

import dev.chorus.protocol.Signer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many WebSocket subscribers on one selector thread: handshake, connection_established, a signed
 * subscribe, then counting events and their latency. Frames are parsed in place from a per-socket
 * buffer, so the load generator's cost per delivery stays far below the server's.
 */
final class SubscriberPool implements Runnable {
    private final Selector selector;
    private final String host;
    private final int port;
    private final String path;
    private final String channel;
    private final String key;
    private final Signer signer;
    /** False: a connection counts once established, with no channel (handshake rate alone). */
    volatile boolean subscribe = true;
    private Histogram latency = new Histogram();
    private volatile boolean resetRequested;
    private boolean measuring;
    final AtomicLong opened = new AtomicLong();
    final AtomicLong ready = new AtomicLong();
    /** Peers this pool closed itself (churn); not failures. */
    final AtomicLong closed = new AtomicLong();
    final java.util.List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<Peer> registrations = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger churnRequested = new java.util.concurrent.atomic.AtomicInteger();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    volatile long lastReceiveNanos;
    private volatile boolean running = true;
    private final Thread thread;

    private static final class Peer {
        final SocketChannel socket;
        ByteBuffer in = ByteBuffer.allocate(4096);
        int state; // 0 handshake, 1 waiting established, 2 waiting subscribed, 3 receiving, 4 closed by us

        Peer(SocketChannel socket) {
            this.socket = socket;
        }
    }

    SubscriberPool(String host, int port, String path, String channel, String key, String secret, String name)
            throws IOException {
        this.selector = Selector.open();
        this.host = host;
        this.port = port;
        this.path = path;
        this.channel = channel;
        this.key = key;
        this.signer = new Signer(secret);
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Starts opening one subscriber (non-blocking connect; the handshake runs on the pool's thread),
     * from any thread. {@code local} binds a source address (null: the kernel picks), so one client
     * can pass the ~28k ports of one address.
     */
    void open(InetSocketAddress local) throws IOException {
        SocketChannel socket = SocketChannel.open();
        try {
            socket.configureBlocking(false);
            socket.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            if (local != null) {
                socket.bind(local);
            }
            socket.connect(new InetSocketAddress(host, port));
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        opened.incrementAndGet();
        registrations.offer(new Peer(socket));
        selector.wakeup();
    }

    /** Closes {@code count} subscribed peers cleanly (close frame 1000), on the pool's thread. */
    void churn(int count) {
        churnRequested.addAndGet(count);
        selector.wakeup();
    }

    private void request(Peer peer) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET " + path + "/app/" + key + "?protocol=7&client=chorus-bench&version=1 HTTP/1.1\r\nHost: "
                + host + ":" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        writeFully(peer.socket, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public void run() {
        while (running) {
            try {
                Peer registering;
                while ((registering = registrations.poll()) != null) {
                    registering.socket.register(selector, SelectionKey.OP_CONNECT, registering);
                }
                int churn = churnRequested.getAndSet(0);
                if (churn > 0) {
                    closeSubscribed(churn);
                }
                selector.select(100);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey selected = keys.next();
                    keys.remove();
                    Peer peer = (Peer) selected.attachment();
                    try {
                        if (selected.isConnectable()) {
                            peer.socket.finishConnect();
                            request(peer);
                            selected.interestOps(SelectionKey.OP_READ);
                        } else {
                            read(peer);
                        }
                    } catch (IOException e) {
                        failed.incrementAndGet();
                        if (failures.size() < 5) {
                            failures.add(e.getMessage());
                        }
                        if (peer.state == 3) {
                            ready.decrementAndGet();
                        }
                        selected.cancel();
                        peer.socket.close();
                    }
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void closeSubscribed(int count) {
        for (SelectionKey selected : selector.keys()) {
            if (count == 0) {
                return;
            }
            Peer peer = (Peer) selected.attachment();
            if (peer != null && peer.state == 3) {
                try {
                    send(peer.socket, 8, new byte[] {0x03, (byte) 0xE8});
                    peer.socket.close();
                } catch (IOException ignored) {
                    // going anyway
                }
                selected.cancel();
                peer.state = 4;
                ready.decrementAndGet();
                closed.incrementAndGet();
                count--;
            }
        }
    }

    private void read(Peer peer) throws IOException {
        int n = peer.socket.read(peer.in);
        if (n < 0) {
            throw new IOException("closed by server");
        }
        peer.in.flip();
        try {
            if (peer.state == 0) {
                int end = indexOf(peer.in, "\r\n\r\n");
                if (end < 0) {
                    return;
                }
                String head = StandardCharsets.US_ASCII.decode(peer.in.slice(peer.in.position(), end)).toString();
                if (!head.startsWith("HTTP/1.1 101")) {
                    throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
                }
                peer.in.position(peer.in.position() + end + 4);
                peer.state = 1;
            }
            while (true) {
                if (peer.in.remaining() < 2) {
                    return;
                }
                int start = peer.in.position();
                int b0 = peer.in.get(start) & 0xFF;
                int b1 = peer.in.get(start + 1) & 0x7F;
                int header = 2;
                long length = b1;
                if (b1 == 126) {
                    if (peer.in.remaining() < 4) {
                        return;
                    }
                    length = peer.in.getShort(start + 2) & 0xFFFF;
                    header = 4;
                } else if (b1 == 127) {
                    if (peer.in.remaining() < 10) {
                        return;
                    }
                    length = peer.in.getLong(start + 2);
                    header = 10;
                }
                if (header + length > peer.in.capacity()) {
                    ByteBuffer bigger = ByteBuffer.allocate((int) (header + length) * 2);
                    bigger.put(peer.in);
                    bigger.flip();
                    peer.in = bigger;
                    return;
                }
                if (peer.in.remaining() < header + length) {
                    return;
                }
                int payloadStart = start + header;
                frame(peer, b0 & 0x0F, payloadStart, (int) length);
                peer.in.position(payloadStart + (int) length);
            }
        } finally {
            peer.in.compact();
        }
    }

    private void frame(Peer peer, int opcode, int offset, int length) throws IOException {
        if (opcode == 9) {
            byte[] payload = new byte[length];
            peer.in.get(offset, payload);
            send(peer.socket, 10, payload);
            return;
        }
        if (opcode == 8) {
            throw new IOException("server closed the socket");
        }
        if (opcode != 1) {
            return;
        }
        if (peer.state == 3 && resetRequested) {
            resetRequested = false;
            measuring = true;
            latency = new Histogram();
            received.set(0);
        }
        if (peer.state == 3) {
            // {"event":"pusher... is protocol traffic (pings), not a delivery.
            if (length > 16 && peer.in.get(offset + 10) == 'p' && peer.in.get(offset + 15) == 'r') {
                return;
            }
            // {"event":"client-warmup" still arriving from a server that fell behind is not a measured delivery.
            if (measuring && length > 18 && peer.in.get(offset + 10) == 'c' && peer.in.get(offset + 17) == 'w') {
                return;
            }
            long now = System.nanoTime();
            long sent = timestamp(peer.in, offset, length);
            if (sent > 0) {
                latency.record((now - sent) / 1_000);
            }
            received.incrementAndGet();
            lastReceiveNanos = now;
            return;
        }
        String text = StandardCharsets.UTF_8.decode(peer.in.slice(offset, length)).toString();
        if (peer.state == 1 && text.contains("pusher:connection_established") && !subscribe) {
            peer.state = 3; // handshakes only: an established connection is the result
            ready.incrementAndGet();
        } else if (peer.state == 1 && text.contains("pusher:connection_established")) {
            int at = text.indexOf("socket_id");
            int start = text.indexOf("\\\"", at + 10) + 2;
            int end = text.indexOf("\\\"", start);
            String socketId = text.substring(start, end);
            String auth = key + ":" + signer.sign(socketId + ":" + channel);
            send(peer.socket, 1, ("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\""
                    + auth + "\"}}").getBytes(StandardCharsets.UTF_8));
            peer.state = 2;
        } else if (peer.state == 2 && text.contains("subscription_succeeded")) {
            peer.state = 3;
            ready.incrementAndGet();
        } else if (text.contains("pusher:error")) {
            throw new IOException("refused: " + text);
        }
    }

    /**
     * The {@code "t":<nanos>} the publisher put in the event, read without decoding the frame; also
     * found JSON-escaped ({@code \"t\":}) inside a server event's string data.
     */
    private static long timestamp(ByteBuffer buffer, int offset, int length) {
        int end = offset + length;
        for (int i = offset; i < end - 4; i++) {
            if (buffer.get(i) != '"' || buffer.get(i + 1) != 't') {
                continue;
            }
            int colon = buffer.get(i + 2) == '"' ? i + 3 : buffer.get(i + 2) == '\\' && buffer.get(i + 3) == '"' ? i + 4 : -1;
            if (colon > 0 && colon < end && buffer.get(colon) == ':') {
                long value = 0;
                for (int j = colon + 1; j < end; j++) {
                    byte c = buffer.get(j);
                    if (c < '0' || c > '9') {
                        return value;
                    }
                    value = value * 10 + (c - '0');
                }
                return value;
            }
        }
        return -1;
    }

    static void send(SocketChannel socket, int opcode, byte[] payload) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(payload.length + 14);
        frame.put((byte) (0x80 | opcode));
        if (payload.length < 126) {
            frame.put((byte) (0x80 | payload.length));
        } else if (payload.length < 65536) {
            frame.put((byte) (0x80 | 126)).putShort((short) payload.length);
        } else {
            frame.put((byte) (0x80 | 127)).putLong(payload.length);
        }
        // A zero mask keeps the payload as is; servers must accept any mask value.
        frame.putInt(0);
        frame.put(payload);
        frame.flip();
        writeFully(socket, frame);
    }

    private static void writeFully(SocketChannel socket, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (socket.write(buffer) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    private static int indexOf(ByteBuffer buffer, String marker) {
        byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = buffer.position(); i <= buffer.limit() - m.length; i++) {
            for (int j = 0; j < m.length; j++) {
                if (buffer.get(i + j) != m[j]) {
                    continue outer;
                }
            }
            return i - buffer.position();
        }
        return -1;
    }

    /** Forgets what was received so far (after a warm-up); takes effect on the next frame. */
    void reset() {
        resetRequested = true;
    }

    /** Subscribers still waiting for connect, upgrade or subscription_succeeded. */
    long handshaking() {
        return opened.get() - ready.get() - failed.get() - closed.get();
    }

    /** Stops the thread; the histogram may be read after this returns. */
    Histogram stop() throws InterruptedException {
        running = false;
        selector.wakeup();
        thread.join(5_000);
        for (SelectionKey selected : selector.keys()) {
            try {
                selected.channel().close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            // A registered channel keeps its descriptor until its key is deregistered: closing the selector does that.
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        return latency;
    }
}
