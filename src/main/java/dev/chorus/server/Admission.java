package dev.chorus.server;

import dev.chorus.app.Settings;
import dev.chorus.protocol.ClientAddress;
import dev.chorus.protocol.PusherError;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who may open a socket at all, decided before any per-connection state exists: at most
 * {@code max_connections} sockets on this node (every app) and {@code max_connections_per_address}
 * per client address. The client address is the peer's, or, behind a trusted proxy, the one it
 * forwards; a trusted proxy's own connections (a local nginx, the bench) are not counted per address.
 * <p>Threading: any container thread; counts are atomics and an address leaves the map with its last socket.
 */
public final class Admission {
    /** No limits: for tests and embedders that bound connections elsewhere. */
    public static final Admission UNLIMITED = new Admission(0, 0, List.of());

    private final int maxConnections;
    private final int maxPerAddress;
    private final List<String> trustedProxies;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<String, int[]> perAddress = new ConcurrentHashMap<>();

    /**
     * @param maxConnections sockets on this node, 0 for no limit
     * @param maxPerAddress  sockets per client address, 0 for no limit
     */
    public Admission(int maxConnections, int maxPerAddress, List<String> trustedProxies) {
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    public static Admission of(Settings.Limits limits) {
        return new Admission(limits.effectiveMaxConnections(), limits.maxConnectionsPerAddress(), limits.trustedProxies());
    }

    /** A socket that was let in; {@link #release} it exactly once when it closes. */
    public record Ticket(String address) {
    }

    /** The outcome: a ticket, or the refusal to send. */
    public record Decision(Ticket ticket, PusherError refusal) {
    }

    /**
     * @param peer         the socket's remote address, or null when the container does not tell
     * @param forwardedFor the {@code X-Forwarded-For} header of the handshake, or null
     */
    public Decision admit(String peer, String forwardedFor) {
        if (maxConnections > 0 && open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            return new Decision(null, PusherError.SERVER_FULL);
        } else if (maxConnections <= 0) {
            open.incrementAndGet();
        }
        String address = counted(peer, forwardedFor);
        if (address != null && maxPerAddress > 0) {
            boolean[] admitted = {false};
            perAddress.compute(address, (key, count) -> {
                int[] current = count == null ? new int[1] : count;
                if (current[0] < maxPerAddress) {
                    current[0]++;
                    admitted[0] = true;
                }
                return current[0] == 0 ? null : current;
            });
            if (!admitted[0]) {
                open.decrementAndGet();
                return new Decision(null, PusherError.ADDRESS_FULL);
            }
            return new Decision(new Ticket(address), null);
        }
        return new Decision(new Ticket(null), null);
    }

    public void release(Ticket ticket) {
        open.decrementAndGet();
        if (ticket.address() != null && maxPerAddress > 0) {
            perAddress.computeIfPresent(ticket.address(), (key, count) -> --count[0] <= 0 ? null : count);
        }
    }

    /** Sockets let in and not yet released. */
    public int open() {
        return open.get();
    }

    /** The address counted per client: null for a trusted proxy that forwards nobody, or an unknown peer. */
    private String counted(String peer, String forwardedFor) {
        if (peer == null) {
            return null;
        }
        String client = ClientAddress.of(peer, forwardedFor, trustedProxies);
        return ClientAddress.isTrusted(client, trustedProxies) ? null : client;
    }
}
