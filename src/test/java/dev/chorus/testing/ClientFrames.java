package dev.chorus.testing;

import dev.chorus.protocol.Signer;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a Pusher client sends, signed as the test app's server would sign it ({@link TestApps#KEY},
 * {@link TestApps#SECRET}).
 */
public final class ClientFrames {
    private static final Signer SIGNER = new Signer(TestApps.SECRET);

    private ClientFrames() {
    }

    /** A public channel, or a signature-less try at any other. */
    public static String subscribe(String channel) {
        return "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}";
    }

    /** A private (or private cache) channel, signed for this socket. */
    public static String subscribePrivate(String socketId, String channel) {
        return "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\""
                + SIGNER.channelAuth(TestApps.KEY, socketId, channel, null) + "\"}}";
    }

    /** A presence channel as {@code userId}, signed for this socket. */
    public static String subscribePresence(String socketId, String channel, String userId) {
        String data = "{\"user_id\":\"" + userId + "\"}";
        return "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\""
                + SIGNER.channelAuth(TestApps.KEY, socketId, channel, data) + "\",\"channel_data\":\"" + escaped(data) + "\"}}";
    }

    public static String unsubscribe(String channel) {
        return "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"" + channel + "\"}}";
    }

    /** The {@code user_data} a sign-in as {@code userId} carries, watching {@code watchlist} (none when empty). */
    public static String userData(String userId, List<String> watchlist) {
        String watching = watchlist.isEmpty() ? ""
                : ",\"watchlist\":[" + watchlist.stream().map(id -> "\"" + id + "\"").collect(Collectors.joining(",")) + "]";
        return "{\"id\":\"" + userId + "\"" + watching + "}";
    }

    /** A sign-in with this {@code user_data}, signed for this socket. */
    public static String signin(String socketId, String userData) {
        return signinWithAuth(userData, SIGNER.userAuth(TestApps.KEY, socketId, userData));
    }

    /** A sign-in with this {@code user_data} and whatever {@code auth} the test wants. */
    public static String signinWithAuth(String userData, String auth) {
        return "{\"event\":\"pusher:signin\",\"data\":{\"user_data\":\"" + escaped(userData) + "\",\"auth\":\"" + auth + "\"}}";
    }

    /** A client event with a JSON {@code data} object. */
    public static String clientEvent(String event, String channel, String dataJson) {
        return "{\"event\":\"" + event + "\",\"channel\":\"" + channel + "\",\"data\":" + dataJson + "}";
    }

    private static String escaped(String json) {
        return json.replace("\"", "\\\"");
    }
}
