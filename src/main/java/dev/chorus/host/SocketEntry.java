package dev.chorus.host;

/**
 * Opens the web app's endpoint for one WebSocket handshake at {@code /app/{key}}, for a host that
 * upgrades on Jetty's core WebSocket API in front of the servlet container.
 * <p>Threading: called on the thread that handles the handshake; must not block. Thread-safe.
 */
@FunctionalInterface
public interface SocketEntry {
    /**
     * @param origin the handshake's {@code Origin} header, or null
     * @param forwardedFor its {@code X-Forwarded-For} lines, or null (counted only behind a trusted proxy)
     * @return the endpoint, a Jetty {@code FrameHandler} (typed {@code Object} so that this package
     *     needs no Jetty class in containers that have none), or null to let the handshake fall through
     *     to the web app's portable endpoint
     */
    Object open(String origin, String forwardedFor);
}
