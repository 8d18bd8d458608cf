/**
 * The one fan-out path: encode once, deliver to local subscribers (minus an excluded socket).
 * May use {@code channel}, {@code app}, {@code protocol}.
 */
package dev.chorus.broadcast;
