/**
 * The HTTP side: JAX-RS resources under {@code [/{path}]}, the route-prefix filter, {@code /up}.
 * May use {@code broadcast}, {@code channel}, {@code app}, {@code protocol}, {@code config}, and
 * {@code server} for what only it knows: the connections (terminate, connection counts).
 */
package dev.chorus.api;
