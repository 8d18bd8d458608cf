/**
 * Pusher-format webhooks: batched, signed, retried, off the socket path. May use {@code app} and
 * {@code protocol}; fed by {@code broadcast}, which decides (cluster-wide) when channels are occupied
 * or vacated and members come and go.
 */
package dev.chorus.webhook;
