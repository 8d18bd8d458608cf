/**
 * Between nodes: the {@code Relay} role, its envelope and codec, and {@code LocalRelay} for a single
 * node. May use {@code protocol} only; knows nothing of channels or sockets.
 */
package dev.chorus.relay;
