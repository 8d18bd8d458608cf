package dev.chorus.launcher;

import dev.chorus.app.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * {@code health}: GET /up from the server these settings describe, as {@code start} would listen with
 * them, on this machine. For container health checks: the image need not ship curl or wget.
 */
final class HealthCheck {
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private HealthCheck() {
    }

    /** {@code <scheme>://<host>:<port><prefix>/up}; a wildcard bind address is asked on loopback. */
    static URI target(Settings settings) {
        String host = settings.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.isEmpty()) {
            host = "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return URI.create((settings.tls() == null ? "http" : "https") + "://" + host + ":" + settings.port() + settings.path() + "/up");
    }

    /** @return 0 when /up answers 200, 1 otherwise, with one line saying why */
    static int run(Settings settings, PrintStream out, PrintStream err) {
        URI uri = target(settings);
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(TIMEOUT);
        if (settings.tls() != null) {
            builder.sslContext(trustingContext());
        }
        try {
            HttpResponse<String> response = builder.build().send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                out.println(uri + " " + response.body());
                return 0;
            }
            err.println(uri + " unhealthy: answered HTTP " + response.statusCode()
                    + (response.statusCode() == 404 ? " (another server on this port, or another route prefix than --path/REVERB_SERVER_PATH?)" : ""));
        } catch (IOException e) {
            err.println(uri + " unreachable: " + why(e, uri));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(uri + " unreachable: interrupted");
        }
        return Launcher.EXIT_START_FAILED;
    }

    /** The cause in words: the JDK's HttpClient often has no message of its own ("null"). */
    static String why(IOException failure, URI uri) {
        String address = uri.getHost() + ":" + uri.getPort();
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof HttpConnectTimeoutException) {
                return "no connection within " + TIMEOUT.toSeconds() + " s to " + address;
            }
            if (cause instanceof HttpTimeoutException) {
                return "no answer within " + TIMEOUT.toSeconds() + " s from " + address;
            }
            if (cause instanceof ConnectException) {
                return "connection refused on " + address + " (is Chorus running with these settings?)";
            }
            if (cause instanceof SSLException) {
                return "TLS handshake failed on " + address + " (" + cause.getMessage()
                        + "; does the server listen with the same TLS settings?)";
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() + " (" + address + ")" : root.getClass().getSimpleName() + " on " + address;
    }

    /**
     * Trusts any certificate, for this loopback check only: a certificate names the public host
     * (chat.example.com), not 127.0.0.1, and is often signed by a CA this JVM does not know (Herd,
     * mkcert). What is checked is that the local listener answers, not who it is. An
     * {@link X509ExtendedTrustManager}, because JSSE checks the host name itself for any plainer one.
     */
    private static SSLContext trustingContext() {
        X509ExtendedTrustManager trustAll = new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustAll}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JVM", e);
        }
    }
}
