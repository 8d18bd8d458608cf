/**
 * One client connection: socket id, app, its own subscription set, signed-in user, liveness clock
 * and the bounded outbound queue. Defines {@code Transport}, which each container API implements.
 * May use {@code channel}, {@code app}, {@code protocol}.
 */
package dev.chorus.connection;
