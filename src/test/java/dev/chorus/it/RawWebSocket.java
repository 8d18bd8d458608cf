package dev.chorus.it;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A WebSocket client on a plain socket, for tests where exact bytes matter: it answers nothing on
 * its own (no automatic pong), can stop reading (slow consumer), and sends any frame, valid or not.
 */
public final class RawWebSocket implements Closeable {
    public static final int TEXT = 1;
    public static final int BINARY = 2;
    public static final int CLOSE = 8;
    public static final int PING = 9;
    public static final int PONG = 10;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final SecureRandom random = new SecureRandom();

    /** One received frame. */
    public record Frame(int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame, or -1. */
        public int closeCode() {
            return opcode == CLOSE && payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }

        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static RawWebSocket connect(int port, String path) throws IOException {
        return connect(port, path, Map.of(), 0);
    }

    /** @param receiveBuffer SO_RCVBUF in bytes, 0 for the default (small makes a slow consumer quickly) */
    private String handshake = "";

    public static RawWebSocket connect(int port, String path, Map<String, String> headers, int receiveBuffer)
            throws IOException {
        return connectFrom(null, port, path, headers, receiveBuffer);
    }

    /** @param from the loopback address to connect from (127.0.0.x), null for any: limits per address tell them apart */
    public static RawWebSocket connectFrom(String from, int port, String path, Map<String, String> headers, int receiveBuffer)
            throws IOException {
        Socket socket = new Socket();
        if (from != null) {
            socket.bind(new InetSocketAddress(java.net.InetAddress.getByName(from), 0));
        }
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        RawWebSocket ws = new RawWebSocket(socket);
        byte[] nonce = new byte[16];
        ws.random.nextBytes(nonce);
        StringBuilder request = new StringBuilder()
                .append("GET ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        request.append("\r\n");
        ws.out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
        ws.out.flush();
        ws.handshake = ws.readHttpHead();
        String status = ws.handshake.lines().findFirst().orElse("");
        if (!status.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("Upgrade refused: " + status);
        }
        return ws;
    }

    private String readHttpHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed during handshake");
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** The server's HTTP answer to the upgrade, status line and headers. */
    public String handshake() {
        return handshake;
    }

    public void sendText(String text) throws IOException {
        sendFrame(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    public synchronized void sendFrame(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >> shift) & 0xFF);
            }
        }
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** The next frame of any kind; throws {@link SocketTimeoutException} when none comes in time. */
    public Frame readFrame(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(b0 & 0x0F, payload);
    }

    /** The next text frame, skipping control frames other than close; null when the socket closes first. */
    public String nextText(int timeoutMillis) throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            int left = (int) Math.max(1, deadline - System.currentTimeMillis());
            Frame frame = readFrame(left);
            if (frame.opcode() == TEXT) {
                return frame.text();
            }
            if (frame.opcode() == CLOSE) {
                lastClose = frame;
                return null;
            }
        }
    }

    private Frame lastClose;

    /** Reads until the server's close frame; returns it (texts before it are dropped into {@code texts}). */
    public Frame awaitClose(int timeoutMillis, List<String> texts) throws IOException {
        if (lastClose != null) {
            return lastClose;
        }
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            int left = (int) Math.max(1, deadline - System.currentTimeMillis());
            Frame frame = readFrame(left);
            if (frame.opcode() == CLOSE) {
                lastClose = frame;
                return frame;
            }
            if (frame.opcode() == TEXT && texts != null) {
                texts.add(frame.text());
            }
        }
    }

    public Frame awaitClose(int timeoutMillis) throws IOException {
        return awaitClose(timeoutMillis, new ArrayList<>());
    }

    /** True when the peer closed the TCP connection (read returns EOF) within the timeout. */
    public boolean isClosedByPeer(int timeoutMillis) throws IOException {
        try {
            while (true) {
                readFrame(timeoutMillis);
            }
        } catch (EOFException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // test teardown
        }
    }
}
