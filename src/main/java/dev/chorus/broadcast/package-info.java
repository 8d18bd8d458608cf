/**
 * The one fan-out path ({@link dev.chorus.broadcast.Broadcaster}: encode once, deliver to local
 * subscribers minus an excluded socket), with who is subscribed decided for the cluster
 * ({@link dev.chorus.broadcast.Membership}) and what can be read of it
 * ({@link dev.chorus.broadcast.Occupancy}); {@link dev.chorus.broadcast.ClusterInbound} takes in what
 * the other nodes send, and hands what concerns sockets to {@link dev.chorus.broadcast.LocalSessions}.
 * May use {@code channel}, {@code app}, {@code protocol},
 * {@code relay}, {@code webhook}, {@code metrics}.
 */
package dev.chorus.broadcast;
