package dev.chorus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pusher.client.Pusher;
import com.pusher.client.PusherOptions;
import com.pusher.client.channel.Channel;
import com.pusher.client.channel.PresenceChannel;
import com.pusher.client.channel.PresenceChannelEventListener;
import com.pusher.client.channel.PrivateChannel;
import com.pusher.client.channel.PrivateChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import com.pusher.client.channel.User;
import com.pusher.client.connection.ConnectionEventListener;
import com.pusher.client.connection.ConnectionState;
import com.pusher.client.connection.ConnectionStateChange;
import dev.chorus.testing.Await;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official pusher-java-client against Chorus, signed by the official pusher-http-java. */
class PusherClientIT {
    static int port;
    static com.pusher.rest.Pusher server;
    private final List<Pusher> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        port = TestServer.shared().port;
        server = Wire.sdk(TestServer.ID, TestServer.KEY, TestServer.SECRET);
    }

    @AfterEach
    void disconnect() {
        clients.forEach(Pusher::disconnect);
    }

    /** A connected client whose presence identity (if any) is {@code userId}. */
    private Pusher client(String userId) throws InterruptedException {
        PusherOptions options = new PusherOptions().setHost("127.0.0.1").setWsPort(port).setUseTLS(false)
                .setChannelAuthorizer((channel, socketId) -> channel.startsWith("presence-")
                        ? server.authenticate(socketId, channel, new com.pusher.rest.data.PresenceUser(userId,
                        Map.of("name", "user " + userId)))
                        : server.authenticate(socketId, channel))
                .setUserAuthenticator(socketId -> {
                    String userData = "{\"id\":\"" + userId + "\"}";
                    try {
                        return Wire.JSON.writeValueAsString(Map.of("auth",
                                Wire.userAuth(TestServer.KEY, TestServer.SECRET, socketId, userData), "user_data", userData));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        Pusher pusher = new Pusher(TestServer.KEY, options);
        clients.add(pusher);
        CountDownLatch connected = new CountDownLatch(1);
        pusher.connect(new ConnectionEventListener() {
            @Override
            public void onConnectionStateChange(ConnectionStateChange change) {
                if (change.getCurrentState() == ConnectionState.CONNECTED) {
                    connected.countDown();
                }
            }

            @Override
            public void onError(String message, String code, Exception e) {
            }
        }, ConnectionState.ALL);
        assertTrue(connected.await(10, TimeUnit.SECONDS), "connected");
        return pusher;
    }

    /** Collects events and subscription outcomes of one channel. */
    static final class Recorder implements PresenceChannelEventListener {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final CountDownLatch subscribed = new CountDownLatch(1);
        final BlockingQueue<String> members = new LinkedBlockingQueue<>();
        volatile String authFailure;

        @Override
        public void onEvent(PusherEvent event) {
            events.add(event.getEventName() + " " + event.getData() + (event.getUserId() == null ? "" : " from " + event.getUserId()));
        }

        @Override
        public void onSubscriptionSucceeded(String channelName) {
            subscribed.countDown();
        }

        @Override
        public void onAuthenticationFailure(String message, Exception e) {
            authFailure = message;
            subscribed.countDown();
        }

        @Override
        public void onUsersInformationReceived(String channelName, Set<User> users) {
            users.stream().map(User::getId).sorted().forEach(id -> members.add("here " + id));
        }

        @Override
        public void userSubscribed(String channelName, User user) {
            members.add("joined " + user.getId());
        }

        @Override
        public void userUnsubscribed(String channelName, User user) {
            members.add("left " + user.getId());
        }

        /**
         * The next join or leave. pusher-java-client may subscribe twice when a subscribe races its own
         * resubscribe-on-CONNECTED; the server then confirms twice and the roster ("here") repeats.
         */
        String nextChange() throws InterruptedException {
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline) {
                String next = members.poll(500, TimeUnit.MILLISECONDS);
                if (next != null && !next.startsWith("here ")) {
                    return next;
                }
            }
            return null;
        }

        void awaitSubscribed() throws InterruptedException {
            assertTrue(subscribed.await(10, TimeUnit.SECONDS), "subscription answered");
            assertEquals(null, authFailure, "no auth failure");
        }
    }

    @Test
    void publicChannelSubscriptionSucceeds() throws Exception {
        Pusher pusher = client("1");
        Recorder recorder = new Recorder();
        Channel channel = pusher.subscribe("java-public", recorder);
        recorder.awaitSubscribed();
        assertTrue(channel.isSubscribed());
    }

    @Test
    void privateChannelClientEventsReachTheOtherClientOnly() throws Exception {
        Pusher alice = client("a");
        Pusher bob = client("b");
        Recorder aliceRecorder = new Recorder();
        Recorder bobRecorder = new Recorder();
        PrivateChannel aliceChannel = alice.subscribePrivate("private-java-chat", aliceRecorder, "client-msg");
        bob.subscribePrivate("private-java-chat", bobRecorder, "client-msg");
        aliceRecorder.awaitSubscribed();
        bobRecorder.awaitSubscribed();
        aliceChannel.trigger("client-msg", "{\"text\":\"hello\"}");
        assertEquals("client-msg {\"text\":\"hello\"}", bobRecorder.events.poll(10, TimeUnit.SECONDS));
        assertEquals(null, aliceRecorder.events.poll(500, TimeUnit.MILLISECONDS));
    }

    @Test
    void presenceMembersAreListedAddedAndRemoved() throws Exception {
        Pusher ann = client("ann");
        Recorder annRecorder = new Recorder();
        ann.subscribePresence("presence-java-room", annRecorder);
        annRecorder.awaitSubscribed();
        assertEquals("here ann", annRecorder.members.poll(5, TimeUnit.SECONDS));

        Pusher bob = client("bob");
        Recorder bobRecorder = new Recorder();
        PresenceChannel bobChannel = bob.subscribePresence("presence-java-room", bobRecorder, "client-hi");
        bobRecorder.awaitSubscribed();
        assertEquals("here ann", bobRecorder.members.poll(5, TimeUnit.SECONDS));
        assertEquals("here bob", bobRecorder.members.poll(5, TimeUnit.SECONDS));
        assertEquals("joined bob", annRecorder.nextChange());
        assertEquals("bob", bobChannel.getMe().getId());
        assertEquals(2, bobChannel.getUsers().size());

        ann.getPresenceChannel("presence-java-room").bind("client-hi", annRecorder);
        bobChannel.trigger("client-hi", "{\"n\":1}");
        assertEquals("client-hi {\"n\":1} from bob", annRecorder.events.poll(5, TimeUnit.SECONDS));

        bob.disconnect();
        assertEquals("left bob", annRecorder.nextChange());
    }

    @Test
    void badAuthorizerSignatureIsReportedAsAnAuthenticationFailure() throws Exception {
        PusherOptions options = new PusherOptions().setHost("127.0.0.1").setWsPort(port).setUseTLS(false)
                .setChannelAuthorizer((channel, socketId) -> "{\"auth\":\"" + TestServer.KEY + ":deadbeef\"}");
        Pusher pusher = new Pusher(TestServer.KEY, options);
        clients.add(pusher);
        pusher.connect();
        Recorder recorder = new Recorder();
        CountDownLatch failed = new CountDownLatch(1);
        PrivateChannelEventListener listener = new PrivateChannelEventListener() {
            @Override
            public void onAuthenticationFailure(String message, Exception e) {
                failed.countDown();
            }

            @Override
            public void onSubscriptionSucceeded(String channelName) {
                recorder.subscribed.countDown();
            }

            @Override
            public void onEvent(PusherEvent event) {
            }
        };
        PrivateChannel channel = pusher.subscribePrivate("private-java-denied", listener);
        // pusher-java-client reports a server-side refusal as a pusher:error on the connection; the
        // channel must never become subscribed.
        assertEquals(false, recorder.subscribed.await(2, TimeUnit.SECONDS));
        assertTrue(!channel.isSubscribed());
    }

    @Test
    void signinSucceedsAndTheUserIsKnownToTheClient() throws Exception {
        Pusher pusher = client("signed-7");
        pusher.signin();
        Await.within(Duration.ofSeconds(10), () -> pusher.user().userId() != null);
        assertNotNull(pusher.user().userId(), "signin_success processed");
        assertEquals("signed-7", pusher.user().userId());
    }
}
