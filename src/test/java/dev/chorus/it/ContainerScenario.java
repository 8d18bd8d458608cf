package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pusher.client.Pusher;
import com.pusher.client.PusherOptions;
import com.pusher.client.connection.ConnectionState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What every deployment must show: the app configured through CHORUS_CONFIG, pusher-java-client
 * subscribed to a public and a presence channel, members seeing each other, and an event triggered
 * with pusher-http-java arriving.
 */
final class ContainerScenario {
    static final String KEY = "container-key";
    static final String SECRET = "container-secret";
    static final String ID = "4242";

    private ContainerScenario() {
    }

    /** The credentials a deployment was configured with (the ones {@code init} wrote, for a recipe). */
    record Credentials(String id, String key, String secret) {
    }

    static void run(int port) throws Exception {
        run(port, new Credentials(ID, KEY, SECRET));
    }

    static void run(int port, Credentials app) throws Exception {
        com.pusher.rest.Pusher server = new com.pusher.rest.Pusher(app.id(), app.key(), app.secret());
        server.setHost("127.0.0.1:" + port);
        server.setEncrypted(false);
        List<Pusher> clients = new ArrayList<>();
        try {
            Pusher ann = client(port, server, app.key(), "ann", clients);
            PusherClientIT.Recorder annRecorder = new PusherClientIT.Recorder();
            ann.subscribePresence("presence-container", annRecorder);
            annRecorder.awaitSubscribed();
            assertEquals("here ann", annRecorder.members.poll(10, TimeUnit.SECONDS));

            Pusher bob = client(port, server, app.key(), "bob", clients);
            PusherClientIT.Recorder bobRecorder = new PusherClientIT.Recorder();
            bob.subscribePresence("presence-container", bobRecorder);
            bobRecorder.awaitSubscribed();
            assertEquals("joined bob", annRecorder.nextChange());

            PusherClientIT.Recorder news = new PusherClientIT.Recorder();
            bob.subscribe("container-news", news, "headline");
            news.awaitSubscribed();
            assertEquals(200, server.trigger("container-news", "headline", Map.of("title", "deployed")).getHttpStatus());
            assertEquals("headline {\"title\":\"deployed\"}", news.events.poll(10, TimeUnit.SECONDS));
            // The unsigned-API attack, against the web app as this container routes it.
            PathConfusion.assertRefusedEverywhere(port, "", app.id(), app.key(), app.secret(), true);
        } finally {
            clients.forEach(Pusher::disconnect);
        }
    }

    private static Pusher client(int port, com.pusher.rest.Pusher server, String key, String user, List<Pusher> clients)
            throws InterruptedException {
        PusherOptions options = new PusherOptions().setHost("127.0.0.1").setWsPort(port).setUseTLS(false)
                .setChannelAuthorizer((channel, socketId) -> channel.startsWith("presence-")
                        ? server.authenticate(socketId, channel, new com.pusher.rest.data.PresenceUser(user, Map.of("name", user)))
                        : server.authenticate(socketId, channel));
        Pusher pusher = new Pusher(key, options);
        clients.add(pusher);
        CountDownLatch connected = new CountDownLatch(1);
        pusher.connect(new com.pusher.client.connection.ConnectionEventListener() {
            @Override
            public void onConnectionStateChange(com.pusher.client.connection.ConnectionStateChange change) {
                if (change.getCurrentState() == ConnectionState.CONNECTED) {
                    connected.countDown();
                }
            }

            @Override
            public void onError(String message, String code, Exception e) {
            }
        }, ConnectionState.ALL);
        assertTrue(connected.await(15, TimeUnit.SECONDS), "connected");
        return pusher;
    }
}
