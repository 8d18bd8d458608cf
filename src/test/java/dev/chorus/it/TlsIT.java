package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** wss:// and https:// from the launcher with a certificate the test makes (keytool), as PEM or PKCS#12. */
class TlsIT {
    static Path dir;
    static Path keystore;
    static Path certPem;
    static Path keyPem;
    static Path rsaKeyPem;
    static SSLContext trusting;
    static final String CONFIG = "apps:\n  - id: \"1\"\n    key: tk\n    secret: ts\n";

    @BeforeAll
    static void certificate() throws Exception {
        dir = Files.createTempDirectory("chorus-tls-");
        keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "chorus", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, output);

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        Certificate cert = store.getCertificate("chorus");
        PrivateKey key = (PrivateKey) store.getKey("chorus", "changeit".toCharArray());
        certPem = dir.resolve("cert.pem");
        keyPem = dir.resolve("key.pem");
        rsaKeyPem = dir.resolve("rsa-key.pem");
        Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
        Files.writeString(rsaKeyPem, pem("RSA PRIVATE KEY", pkcs1(key.getEncoded())));

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("chorus", cert);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, factory.getTrustManagers(), null);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The PKCS#1 key inside a PKCS#8 RSA PrivateKeyInfo: the content of its last OCTET STRING. */
    private static byte[] pkcs1(byte[] pkcs8) {
        int at = 2 + ((pkcs8[1] & 0x80) != 0 ? (pkcs8[1] & 0x7f) : 0); // inside the outer SEQUENCE
        at += 3; // INTEGER 0
        at += 2 + (pkcs8[at + 1] & 0xff); // AlgorithmIdentifier SEQUENCE
        int lengthByte = pkcs8[at + 1] & 0xff; // OCTET STRING
        int header = 2;
        int length = lengthByte;
        if ((lengthByte & 0x80) != 0) {
            int count = lengthByte & 0x7f;
            length = 0;
            for (int i = 0; i < count; i++) {
                length = (length << 8) | (pkcs8[at + 2 + i] & 0xff);
            }
            header += count;
        }
        return java.util.Arrays.copyOfRange(pkcs8, at + header, at + header + length);
    }

    private static void assertServesTls(int port) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trusting).version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> up = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/up")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("{\"health\":\"OK\"}", up.body());
        CompletableFuture<String> first = new CompletableFuture<>();
        WebSocket ws = client.newWebSocketBuilder().buildAsync(URI.create("wss://localhost:" + port + "/app/tk?protocol=7"),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        first.complete(data.toString());
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        assertTrue(first.get(10, TimeUnit.SECONDS).startsWith("{\"event\":\"pusher:connection_established\""));
        ws.abort();
    }

    private static ChorusProcess start(Map<String, String> env, String... args) throws Exception {
        Path work = Files.createTempDirectory("chorus-tls-node-");
        Files.writeString(work.resolve("chorus.yaml"), CONFIG);
        int port = ChorusProcess.freePort();
        List<String> command = new ArrayList<>(List.of("start", "--host", "127.0.0.1", "--port", String.valueOf(port)));
        command.addAll(List.of(args));
        ChorusProcess node = ChorusProcess.launch(work, env, command);
        node.awaitOutput("Chorus listening on TLS", 60);
        return node;
    }

    @Test
    void docsTlsRecipeRunsAsPrintedAndItsCurlGetsTheHealthAnswer() throws Exception {
        Recipe recipe = Recipe.read("tls.md", "tls");
        int port = ChorusProcess.freePort();
        // The port is the build machine's only change; the recipe as printed takes 8080.
        try (ContainerProcess chorus = ContainerProcess.launch(recipe, "export REVERB_SERVER_PORT=" + port, port)) {
            String output = chorus.awaitOutput("Chorus listening on TLS", 90);
            assertTrue(output.contains("forceTLS: true"), output);
            String shown = "curl -k https://localhost:8080/up";
            assertTrue(Files.readString(Recipe.DOCS.resolve("tls.md")).contains("`" + shown + "` then answers `{\"health\":\"OK\"}`"));
            Process curl = new ProcessBuilder("bash", "-c", shown.replace("8080", String.valueOf(port)))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String answer = new String(curl.getInputStream().readAllBytes());
            assertTrue(curl.waitFor(30, TimeUnit.SECONDS));
            assertEquals("{\"health\":\"OK\"}", answer.trim(), chorus.output());
        }
    }

    @Test
    void pemCertificateAndKeyServeWssAndHttps() throws Exception {
        try (ChorusProcess node = start(Map.of(), "--tls-cert", certPem.toString(), "--tls-key", keyPem.toString())) {
            assertServesTls(node.port);
            assertTrue(node.output().contains("forceTLS: true"), node.output());
        }
    }

    @Test
    void pkcs1RsaKeyAsOlderOpensslAndValetWriteItIsAccepted() throws Exception {
        try (ChorusProcess node = start(Map.of(), "--tls-cert", certPem.toString(), "--tls-key", rsaKeyPem.toString())) {
            assertServesTls(node.port);
        }
    }

    @Test
    void pkcs12KeystoreFromTheEnvironment() throws Exception {
        try (ChorusProcess node = start(Map.of("CHORUS_TLS_KEYSTORE", keystore.toString(),
                "CHORUS_TLS_KEYSTORE_PASSWORD", "changeit"))) {
            assertServesTls(node.port);
        }
    }

    @Test
    void hostnamePicksUpAValetCertificateForThatHost() throws Exception {
        Path home = Files.createTempDirectory("chorus-home-");
        Path certificates = Files.createDirectories(home.resolve(".config/valet/Certificates"));
        Files.copy(certPem, certificates.resolve("localhost.crt"));
        Files.copy(keyPem, certificates.resolve("localhost.key"));
        try (ChorusProcess node = start(Map.of("HOME", home.toString()), "--hostname", "localhost")) {
            assertServesTls(node.port);
        }
    }

    @Test
    void unreadableKeyMaterialStopsStartupWithOneLine() throws Exception {
        Path work = Files.createTempDirectory("chorus-tls-bad-");
        Files.writeString(work.resolve("chorus.yaml"), CONFIG);
        Path notAKey = work.resolve("not-a-key.pem");
        Files.writeString(notAKey, "hello");
        ChorusProcess bad = ChorusProcess.launch(work, Map.of(), List.of("start", "--host", "127.0.0.1", "--tls-cert",
                certPem.toString(), "--tls-key", notAKey.toString()));
        assertEquals(2, bad.awaitExit(60));
        assertTrue(bad.output().strip().startsWith("Invalid setting tls key (--tls-key, CHORUS_TLS_KEY)="), bad.output());
        assertEquals(1, bad.output().strip().lines().count(), bad.output());
        ChorusProcess wrongPassword = ChorusProcess.launch(work, Map.of(), List.of("start", "--host", "127.0.0.1",
                "--tls-keystore", keystore.toString(), "--tls-keystore-password", "nope"));
        assertEquals(2, wrongPassword.awaitExit(60));
        assertTrue(wrongPassword.output().contains("tls keystore"), wrongPassword.output());
    }
}
