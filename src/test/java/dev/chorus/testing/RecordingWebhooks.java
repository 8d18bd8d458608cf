package dev.chorus.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.app.App;
import dev.chorus.protocol.Webhooks;
import dev.chorus.webhook.WebhookEmitter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A webhook emitter that keeps each event as {@code "name channel [user] [count]"}, in order. */
public final class RecordingWebhooks implements WebhookEmitter {
    public final List<String> emitted = new CopyOnWriteArrayList<>();

    @Override
    public void emit(App app, ObjectNode event) {
        emitted.add(Webhooks.name(event) + " " + Webhooks.channel(event)
                + (event.has("user_id") ? " " + Webhooks.userId(event) : "")
                + (event.has(Webhooks.SUBSCRIPTION_COUNT) ? " " + Webhooks.countOf(event) : ""));
    }
}
