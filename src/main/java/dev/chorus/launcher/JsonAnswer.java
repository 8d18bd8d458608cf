package dev.chorus.launcher;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The launcher's own answers, in the API's shape: {@code {"error":"..."}}, never an HTML page. */
final class JsonAnswer {
    private JsonAnswer() {
    }

    static byte[] body(String message) {
        StringBuilder out = new StringBuilder(message.length() + 12).append("{\"error\":\"");
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(' ');
            } else {
                out.append(c);
            }
        }
        return out.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the answer; {@code close} also ends the connection (a body was left unread). */
    static void write(Response response, Callback callback, int status, String message, boolean close) {
        byte[] body = body(message);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (close) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** A short, fixed phrase per status: nothing from the request or an exception is echoed. */
    static String phrase(int status) {
        return switch (status) {
            case 400 -> "Bad request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 408 -> "Request timeout";
            case 411 -> "Length required";
            case 413 -> "Request too large";
            case 414 -> "URI too long";
            case 415 -> "Unsupported media type";
            case 429 -> "Too many requests";
            case 431 -> "Request header fields too large";
            case 503 -> "Service unavailable";
            default -> status >= 500 ? "Internal server error" : "Request failed";
        };
    }
}
