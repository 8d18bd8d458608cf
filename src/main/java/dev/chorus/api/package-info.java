/**
 * The HTTP side: JAX-RS resources under {@code [/{path}]}, the route-prefix filter, {@code /up}.
 * May use {@code broadcast}, {@code channel}, {@code app}, {@code protocol}, {@code config}.
 */
package dev.chorus.api;
