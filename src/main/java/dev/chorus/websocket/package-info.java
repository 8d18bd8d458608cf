/**
 * {@link dev.chorus.websocket.PusherSocket}, the socket set-up both endpoints share (limits, handshake
 * facts, routing of inbound messages), and the JSR-356 side: the Pusher endpoint, its configurator
 * (origin capture, per-socket instances), its registration under the route prefix, and the Jakarta
 * {@code Transport}; {@code websocket.jetty} the launcher's core endpoint. May use {@code server},
 * {@code connection}, {@code app}, {@code protocol}, {@code host}, and {@code cdi} (the
 * registrar is created by the container). Never {@code config}.
 */
package dev.chorus.websocket;
