package dev.chorus.launcher.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One keep-alive HTTP/1.1 connection posting signed events, written on a raw socket: a general HTTP
 * client costs more CPU per request than the servers it measures. Single-threaded.
 */
final class TriggerClient implements AutoCloseable {
    private SocketChannel socket;
    private final InetSocketAddress address;
    /** Connections the server closed after answering (soketi answers every request with Connection: close). */
    long reconnects;
    private final String host;
    private final String target;
    private final String eventsPath;
    private final String key;
    private final Mac mac;
    private final MessageDigest md5;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private static final HexFormat HEX = HexFormat.of();

    TriggerClient(String host, int port, String path, String appId, String key, String secret) throws IOException {
        this.address = new InetSocketAddress(host, port);
        connect();
        this.host = host + ":" + port;
        this.eventsPath = "/apps/" + appId + "/events";
        this.target = path + eventsPath;
        this.key = key;
        try {
            this.mac = Mac.getInstance("HmacSHA256");
            this.mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void connect() throws IOException {
        socket = SocketChannel.open(address);
        socket.socket().setTcpNoDelay(true);
    }

    /** Posts one event and waits for the answer. @return the HTTP status */
    int trigger(String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String query = "auth_key=" + key + "&auth_timestamp=" + System.currentTimeMillis() / 1000
                + "&auth_version=1.0&body_md5=" + HEX.formatHex(md5.digest(bytes));
        String signature = HEX.formatHex(mac.doFinal(("POST\n" + eventsPath + "\n" + query).getBytes(StandardCharsets.UTF_8)));
        String head = "POST " + target + "?" + query + "&auth_signature=" + signature + " HTTP/1.1\r\nHost: " + host
                + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n";
        ByteBuffer request = ByteBuffer.allocate(head.length() + bytes.length);
        request.put(head.getBytes(StandardCharsets.US_ASCII)).put(bytes).flip();
        while (request.hasRemaining()) {
            socket.write(request);
        }
        return readResponse();
    }

    private int readResponse() throws IOException {
        in.clear();
        int headerEnd;
        while ((headerEnd = indexOf("\r\n\r\n", 0)) < 0) {
            fill();
        }
        String head = new String(in.array(), 0, headerEnd, StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(head.substring(9, 12));
        int bodyStart = headerEnd + 4;
        String lower = head.toLowerCase();
        int lengthAt = lower.indexOf("content-length:");
        if (lengthAt >= 0) {
            int lineEnd = lower.indexOf("\r\n", lengthAt);
            int length = Integer.parseInt(head.substring(lengthAt + 15, lineEnd < 0 ? head.length() : lineEnd).trim());
            while (in.position() < bodyStart + length) {
                fill();
            }
        } else if (lower.contains("transfer-encoding: chunked")) {
            while (indexOf("0\r\n\r\n", bodyStart) < 0) {
                fill();
            }
        }
        if (lower.contains("connection: close")) {
            socket.close();
            connect();
            reconnects++;
        }
        return status;
    }

    private void fill() throws IOException {
        if (!in.hasRemaining() || socket.read(in) < 0) {
            throw new IOException("connection closed or answer too large");
        }
    }

    private int indexOf(String marker, int from) {
        byte[] data = in.array();
        int end = in.position() - marker.length();
        outer:
        for (int i = from; i <= end; i++) {
            for (int j = 0; j < marker.length(); j++) {
                if (data[i + j] != marker.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
