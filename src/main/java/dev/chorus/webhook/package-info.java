/**
 * Pusher-format webhooks: coalesced, batched, signed, retried, off the socket path, with every
 * quantity a client can grow bounded ({@link dev.chorus.webhook.WebhookLimits}). May use {@code app}
 * and {@code protocol}; fed by {@code broadcast}, which decides (cluster-wide) when channels are
 * occupied or vacated and members come and go.
 */
package dev.chorus.webhook;
