// Spike, not part of the build: the Pusher handshake and subscribe on Jetty's core WebSocket API with no
// servlet and no Jakarta layer, to bound what a core endpoint would reach (README, Benchmark). Run:
//   javac -cp target/chorus.jar -d target/spike bench/spike/CoreSpike.java
//   java -Xms1g -Xmx1g -XX:+UseParallelGC -cp target/chorus.jar:target/spike CoreSpike 7201
//   java -jar target/chorus.jar bench --port 7201 --pid <pid> --scenario connect --subscribers 10000 --concurrency 500
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/** Spike: Pusher handshake + subscribe on Jetty's core WebSocket API, no servlet, no Jakarta layer. */
public class CoreSpike {
    static final AtomicLong IDS = new AtomicLong();

    static final class Handler implements FrameHandler {
        CoreSession session;
        final String id = "1234." + IDS.incrementAndGet();

        public void onOpen(CoreSession s, Callback callback) {
            session = s;
            callback.succeeded();
            send("{\"event\":\"pusher:connection_established\",\"data\":\"{\\\"socket_id\\\":\\\"" + id + "\\\",\\\"activity_timeout\\\":30}\"}");
            s.demand();
        }

        void send(String text) {
            session.sendFrame(new Frame(OpCode.TEXT, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))), Callback.NOOP, false);
        }

        public void onFrame(Frame frame, Callback callback) {
            if (frame.getOpCode() == OpCode.TEXT) {
                String text = frame.getPayloadAsUTF8();
                int at = text.indexOf("\"channel\":\"");
                if (text.contains("pusher:subscribe") && at > 0) {
                    String channel = text.substring(at + 11, text.indexOf('"', at + 11));
                    send("{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{}\",\"channel\":\"" + channel + "\"}");
                }
            } else if (frame.getOpCode() == OpCode.PING) {
                session.sendFrame(new Frame(OpCode.PONG).setPayload(frame.getPayload()), Callback.NOOP, false);
            }
            callback.succeeded();
            session.demand();
        }

        public void onError(Throwable cause, Callback callback) {
            callback.succeeded();
        }

        public void onClosed(CloseStatus status, Callback callback) {
            callback.succeeded();
        }
    }

    public static void main(String[] args) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(Integer.parseInt(args[0]));
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);
        WebSocketUpgradeHandler upgrade = new WebSocketUpgradeHandler();
        upgrade.addMapping("/app/*", WebSocketNegotiator.from((request, response, callback) -> new Handler(), (h, rq, rs) -> (FrameHandler) h));
        server.setHandler(upgrade);
        server.start();
        System.out.println("listening");
        server.join();
    }
}
