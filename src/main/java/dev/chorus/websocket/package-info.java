/**
 * {@link dev.chorus.websocket.PusherSocket}, the socket set-up both endpoints share (limits, handshake
 * facts, routing of inbound messages), and the JSR-356 side: the Pusher endpoint, its configurator
 * (origin capture, per-socket instances), its registration under the route prefix, and the Jakarta
 * {@code Transport}. May use {@code server}, {@code connection}, {@code app}, {@code config} (to find
 * the composition root).
 */
package dev.chorus.websocket;
