/**
 * Between nodes: the {@code Relay} role, its envelope and codec, {@code LocalRelay} for a single
 * node, the {@code ClusterState} role and {@code Resync}, which re-reports this node's part of it until
 * that succeeds. May use {@code protocol} only; knows nothing of channels or sockets.
 */
package dev.chorus.relay;
