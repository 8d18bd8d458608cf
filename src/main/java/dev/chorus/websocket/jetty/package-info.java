/**
 * The Jetty core transport: only loaded when Jetty's core WebSocket classes are visible to the
 * application (the launcher makes them so); every other container uses the portable transport.
 */
package dev.chorus.websocket.jetty;
