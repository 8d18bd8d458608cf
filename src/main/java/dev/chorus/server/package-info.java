/**
 * The Pusher protocol state machine: open, inbound frames, close, liveness. May use
 * {@code broadcast}, {@code channel}, {@code connection}, {@code app}, {@code protocol}.
 */
package dev.chorus.server;
