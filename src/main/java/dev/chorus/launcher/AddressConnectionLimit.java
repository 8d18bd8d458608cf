package dev.chorus.launcher;

import dev.chorus.protocol.ClientAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.Connection;

/**
 * At most {@code max_connections_per_address} TCP connections from one peer address: one address
 * cannot take every file descriptor or every slot of the global limit. A connection over the limit
 * is closed as soon as it opens, before any request or socket state exists. Trusted proxies are not
 * counted here (every client behind them shares their address); their clients are counted by the
 * address they forward, at the WebSocket handshake.
 * <p>Threading: Jetty calls the listener on selector and pool threads; counts are per-address atomics
 * and an address leaves the map when its last connection closes.
 */
final class AddressConnectionLimit implements Connection.Listener {
    private final int max;
    private final List<String> trusted;
    private final ConcurrentHashMap<String, int[]> open = new ConcurrentHashMap<>();

    AddressConnectionLimit(int max, List<String> trusted) {
        this.max = max;
        this.trusted = trusted;
    }

    @Override
    public void onOpened(Connection connection) {
        String address = address(connection);
        if (address == null) {
            return;
        }
        int[] after = open.compute(address, (key, count) -> {
            int[] current = count == null ? new int[1] : count;
            current[0]++;
            return current;
        });
        if (after[0] > max) {
            connection.getEndPoint().close();
        }
    }

    @Override
    public void onClosed(Connection connection) {
        String address = address(connection);
        if (address != null) {
            open.computeIfPresent(address, (key, count) -> --count[0] <= 0 ? null : count);
        }
    }

    /** The peer address when it is counted; null for trusted proxies and non-IP endpoints. */
    private String address(Connection connection) {
        SocketAddress remote = connection.getEndPoint().getRemoteSocketAddress();
        if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return null;
        }
        String address = inet.getAddress().getHostAddress();
        return ClientAddress.isTrusted(address, trusted) ? null : address;
    }
}
