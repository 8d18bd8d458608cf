/**
 * The Pusher protocol state machine, one role per class: {@link dev.chorus.server.PusherServer} routes
 * open, inbound frames and close; {@link dev.chorus.server.Handshake} opens, the handlers
 * ({@code Subscriptions}, {@code ClientEvents}, {@code SignIn}) answer frames,
 * {@link dev.chorus.server.ConnectionRegistry} holds this node's connections, {@code Liveness} and
 * {@code Drain} close the silent and, on shutdown, all, and {@code Disconnect} cleans up after any close;
 * {@link dev.chorus.server.Upkeep} is the node's clock and its restarts. The server is the broadcast
 * side's {@code LocalSessions}. May use {@code broadcast}, {@code channel}, {@code connection},
 * {@code app}, {@code protocol}, {@code metrics}, {@code webhook}, and {@code host} (a restart under
 * the launcher is its decision).
 */
package dev.chorus.server;
