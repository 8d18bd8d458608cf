/**
 * The Jetty core transport: only loaded when Jetty's core WebSocket classes are visible to the
 * application (the launcher makes them so); every other container uses the portable transport. The
 * core endpoint adapts Jetty's frames to the shared {@link dev.chorus.websocket.PusherSocket}.
 */
package dev.chorus.websocket.jetty;
