package dev.chorus.launcher;

import java.nio.ByteBuffer;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own errors (a request it could not parse, a path its URI compliance refused, a failure
 * before the web app) answered as the API answers: JSON, no HTML page, no exception name, no URI,
 * no version. Jetty's reason for a bad message is kept only when it is a short plain phrase.
 */
final class JsonErrors extends ErrorHandler {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9 ,:()'-]{1,80}");

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        JsonAnswer.write(response, callback, code, JsonAnswer.phrase(code), false);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        String text = JsonAnswer.phrase(status);
        if (reason != null && PLAIN.matcher(reason).matches()) {
            text = text + ": " + reason;
        }
        return ByteBuffer.wrap(JsonAnswer.body(text));
    }
}
