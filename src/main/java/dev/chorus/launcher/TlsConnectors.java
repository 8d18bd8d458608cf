package dev.chorus.launcher;

import dev.chorus.app.ConfigurationException;
import dev.chorus.app.Tls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The launcher's TLS listener from a PEM certificate chain and key, or a PKCS#12 keystore. PEM keys
 * may be PKCS#8 ({@code BEGIN PRIVATE KEY}: mkcert, certbot) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}:
 * older openssl, Valet); anything unreadable stops startup with the setting named.
 */
final class TlsConnectors {
    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN ([A-Z ]*)PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1PRIVATE KEY-----");
    private static final char[] INTERNAL_PASSWORD = "chorus".toCharArray();

    private TlsConnectors() {
    }

    static ServerConnector connector(Server server, Tls tls) {
        KeyStore keystore = tls.pem() ? fromPem(tls) : fromPkcs12(tls);
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(keystore);
        ssl.setKeyStorePassword(tls.pem() ? new String(INTERNAL_PASSWORD) : tls.password());
        HttpConfiguration https = httpConfiguration();
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // Development certificates rarely name "127.0.0.1" or every host a client uses: don't refuse them.
        secure.setSniHostCheck(false);
        https.addCustomizer(secure);
        return new ServerConnector(server, new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                new HttpConnectionFactory(https));
    }

    /** Plain or TLS: no {@code Server} header, so no version reaches a client. */
    static HttpConfiguration httpConfiguration() {
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setSendDateHeader(true);
        return http;
    }

    private static KeyStore fromPkcs12(Tls tls) {
        try (InputStream in = Files.newInputStream(tls.keystore())) {
            KeyStore keystore = KeyStore.getInstance("PKCS12");
            keystore.load(in, tls.password().toCharArray());
            return keystore;
        } catch (IOException | GeneralSecurityException e) {
            throw ConfigurationException.bad("tls keystore (--tls-keystore, CHORUS_TLS_KEYSTORE)", tls.keystore(),
                    "a PKCS#12 keystore that opens with the given password (" + e.getMessage() + ")");
        }
    }

    private static KeyStore fromPem(Tls tls) {
        Collection<? extends Certificate> chain;
        try (InputStream in = Files.newInputStream(tls.certificate())) {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | GeneralSecurityException e) {
            throw ConfigurationException.bad("tls certificate (--tls-cert, CHORUS_TLS_CERT)", tls.certificate(),
                    "a PEM certificate chain (" + e.getMessage() + ")");
        }
        if (chain.isEmpty()) {
            throw ConfigurationException.bad("tls certificate (--tls-cert, CHORUS_TLS_CERT)", tls.certificate(),
                    "a PEM file with at least one certificate");
        }
        PrivateKey key = privateKey(tls);
        try {
            KeyStore keystore = KeyStore.getInstance("PKCS12");
            keystore.load(null, null);
            keystore.setKeyEntry("chorus", key, INTERNAL_PASSWORD, chain.toArray(new Certificate[0]));
            return keystore;
        } catch (IOException | GeneralSecurityException e) {
            throw ConfigurationException.bad("tls key (--tls-key, CHORUS_TLS_KEY)", tls.privateKey(),
                    "the private key of that certificate (" + e.getMessage() + ")");
        }
    }

    private static PrivateKey privateKey(Tls tls) {
        String setting = "tls key (--tls-key, CHORUS_TLS_KEY)";
        String text;
        try {
            text = Files.readString(tls.privateKey());
        } catch (IOException e) {
            throw ConfigurationException.bad(setting, tls.privateKey(), "a readable PEM private key");
        }
        Matcher matcher = PEM_KEY.matcher(text);
        if (!matcher.find()) {
            throw ConfigurationException.bad(setting, tls.privateKey(), "a PEM private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)");
        }
        String kind = matcher.group(1).trim();
        byte[] der = Base64.getMimeDecoder().decode(matcher.group(2));
        if (kind.equals("RSA")) {
            der = pkcs1ToPkcs8(der);
        } else if (!kind.isEmpty()) {
            throw ConfigurationException.bad(setting, tls.privateKey(), "an unencrypted PKCS#8 or RSA key, not '" + kind
                    + " PRIVATE KEY' (convert it: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key8.pem)");
        }
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException tryNext) {
                // next algorithm
            }
        }
        throw ConfigurationException.bad(setting, tls.privateKey(), "an RSA, EC or Ed25519 private key");
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo, which is what the JDK reads. */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
                0x01, 0x05, 0x00};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(algorithm);
        body.write(0x04);
        body.writeBytes(derLength(pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.writeBytes(derLength(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derLength(int length) {
        if (length < 0x80) {
            return new byte[] {(byte) length};
        }
        if (length < 0x100) {
            return new byte[] {(byte) 0x81, (byte) length};
        }
        if (length < 0x10000) {
            return new byte[] {(byte) 0x82, (byte) (length >> 8), (byte) length};
        }
        return new byte[] {(byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length};
    }
}
