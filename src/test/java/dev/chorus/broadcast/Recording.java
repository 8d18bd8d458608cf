package dev.chorus.broadcast;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.app.App;
import dev.chorus.channel.Subscriber;
import dev.chorus.protocol.EncodedFrame;
import dev.chorus.protocol.Webhooks;
import dev.chorus.relay.Envelope;
import dev.chorus.relay.Relay;
import dev.chorus.webhook.WebhookEmitter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Fakes that record what the broadcast roles hand on: to the other nodes, to webhooks, to a socket. */
final class Recording {
    private Recording() {
    }

    /** What would go to the other nodes. */
    static final class RecordingRelay implements Relay {
        final List<Envelope> sent = new CopyOnWriteArrayList<>();

        @Override
        public String nodeId() {
            return "here";
        }

        @Override
        public void publish(Envelope envelope) {
            sent.add(envelope);
        }

        @Override
        public void start(Consumer<Envelope> receiver) {
        }

        @Override
        public boolean connected() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** Webhook events as "name channel [user] [count]", in order. */
    static final class RecordingWebhooks implements WebhookEmitter {
        final List<String> emitted = new CopyOnWriteArrayList<>();

        @Override
        public void emit(App app, ObjectNode event) {
            emitted.add(Webhooks.name(event) + " " + Webhooks.channel(event)
                    + (event.has("user_id") ? " " + Webhooks.userId(event) : "")
                    + (event.has(Webhooks.SUBSCRIPTION_COUNT) ? " " + Webhooks.countOf(event) : ""));
        }
    }

    /** A socket that keeps the text of every frame it is handed (small channels deliver on the caller's thread). */
    static final class Listener implements Subscriber {
        final String id;
        final List<String> frames = new CopyOnWriteArrayList<>();

        Listener(String id) {
            this.id = id;
        }

        @Override
        public String socketId() {
            return id;
        }

        @Override
        public void send(EncodedFrame frame) {
            frames.add(frame.text());
        }

        @Override
        public void send(List<EncodedFrame> batch) {
            batch.forEach(this::send);
        }
    }
}
