/**
 * The HTTP side: JAX-RS resources under {@code [/{path}]}, the route-prefix filter, {@code /up}, and the
 * one trigger service ({@link dev.chorus.api.Triggers}) with the one signature check
 * ({@link dev.chorus.api.SignedRequests}) that every trigger entry calls. Resources get their roles by
 * constructor injection; filters and providers through {@code cdi.Lookup}.
 * May use {@code broadcast}, {@code app}, {@code protocol}, {@code metrics}, {@code host},
 * {@code cdi}, and {@code server} for what only it knows: the connections (terminate, connection counts).
 * Never {@code config}.
 */
package dev.chorus.api;
