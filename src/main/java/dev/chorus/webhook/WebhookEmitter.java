package dev.chorus.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.app.App;

/**
 * Where channel lifecycle events go on their way to the app's webhook URLs.
 * <p>Threading and delivery: {@link #emit} is called from socket and fan-out threads, never blocks
 * and never throws; events are coalesced and batched and sent off those threads, a few requests at a
 * time per URL, retried with backoff while the receiver fails, and dropped (counted) when retries are
 * exhausted or a bounded buffer or queue is full. Within one batch the order of a channel's events is
 * kept; changes that undo each other before a batch is cut (occupied and vacated, a member added and
 * removed) are not sent at all, and of a channel's subscription counts only the last. Retried batches
 * may arrive after newer ones.
 */
public interface WebhookEmitter {
    WebhookEmitter NONE = (app, event) -> { };

    /** @param event one Pusher webhook event ({@code dev.chorus.protocol.Webhooks} builds them) */
    void emit(App app, ObjectNode event);
}
