package dev.chorus.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** HTTP as bytes on a socket: for requests no client library would send (odd paths, trickled bodies). */
final class RawHttp {
    private RawHttp() {
    }

    /** Sends {@code request} as it is and returns everything the server answers until it closes. */
    static String exchange(int port, String request) throws IOException {
        try (Socket socket = open(port, "127.0.0.1")) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** A socket to the server from a chosen loopback address (127.0.0.x), so limits per address can be told apart. */
    static Socket open(int port, String from) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }
}
