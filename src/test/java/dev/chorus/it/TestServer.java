package dev.chorus.it;

import java.io.IOException;

/**
 * One launcher shared by the protocol ITs (failsafe runs them in one JVM), with an app per
 * behaviour under test. Started on first use, stopped when the test JVM exits.
 */
public final class TestServer {
    public static final String KEY = "app-key";
    public static final String SECRET = "app-secret";
    public static final String ID = "1001";

    static final String CONFIG = """
            apps:
              - id: "1001"
                key: app-key
                secret: app-secret
                client_event_rate_limit: 5
              - id: "1002"
                key: live-key
                secret: live-secret
                ping_interval: 1
                pong_timeout: 1
              - id: "1003"
                key: strict-key
                secret: strict-secret
                allowed_origins: ["*.example.com", "localhost"]
              - id: "1004"
                key: disabled-key
                secret: disabled-secret
                enabled: false
              - id: "1005"
                key: quota-key
                secret: quota-secret
                max_connections: 2
              - id: "1006"
                key: none-key
                secret: none-secret
                accept_client_events_from: none
              - id: "1007"
                key: fanout-key
                secret: fanout-secret
                client_event_rate_limit: 0
                max_message_size: 70000
                max_pending_messages: 200
              - id: "1008"
                key: small-key
                secret: small-secret
                max_message_size: 1000
                max_presence_members: 2
            """;

    private static ChorusProcess shared;

    private TestServer() {
    }

    public static synchronized ChorusProcess shared() throws IOException {
        if (shared == null) {
            shared = ChorusProcess.start(CONFIG);
            ChorusProcess started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (InterruptedException ignored) {
                    // exiting anyway
                }
            }));
        }
        return shared;
    }
}
