package dev.chorus.app;

import java.nio.file.Path;

/**
 * TLS for the launcher's listener: a PEM certificate chain and private key (what Herd, Valet, certbot
 * and mkcert produce), or a PKCS#12 keystore. Containers terminate TLS themselves.
 *
 * @param password the keystore's password (PEM keys are unencrypted), may be empty
 */
public record Tls(Path certificate, Path privateKey, Path keystore, String password) {
    public boolean pem() {
        return certificate != null;
    }

    /** Without the password, which a record would print. */
    @Override
    public String toString() {
        return pem() ? "Tls[certificate=" + certificate + ", privateKey=" + privateKey + "]" : "Tls[keystore=" + keystore + "]";
    }
}
