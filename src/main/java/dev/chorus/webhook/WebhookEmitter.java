package dev.chorus.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.app.App;

/**
 * Where channel lifecycle events go on their way to the app's webhook URLs.
 * <p>Threading and delivery: {@link #emit} is called from socket and fan-out threads, never blocks
 * and never throws; events are batched and sent off those threads, retried with backoff while the
 * receiver fails, and dropped (counted, logged) only when retries are exhausted or the bounded queue
 * is full. Order is kept within one batch; retried batches may arrive after newer ones.
 */
public interface WebhookEmitter {
    WebhookEmitter NONE = (app, event) -> { };

    /** @param event one Pusher webhook event ({@code dev.chorus.protocol.Webhooks} builds them) */
    void emit(App app, ObjectNode event);
}
