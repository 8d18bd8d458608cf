/**
 * Channels of each app on this node: subscribers, presence rosters with per-user connection
 * counts. Defines {@code Subscriber}, which connections implement. May use {@code protocol} and
 * {@code app}; knows nothing of sockets or Redis.
 */
package dev.chorus.channel;
