import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The floor under a delivery: CPU of one thread writing 100-byte messages to N loopback sockets,
 * round after round, while another thread drains them all through one selector (as a load generator
 * would). No WebSocket, no server: what the kernel charges for a write on this machine. Usage:
 *
 * <pre>java bench/spike/WriteFloor.java SOCKETS ROUNDS PAUSE_MS [FRAMES_PER_WRITE]</pre>
 *
 * {@code 1000 300 10} is the shape of the 1,000 subscribers x 100 events/s bench; {@code 1000 300 0}
 * writes back to back; a fourth argument of 8 writes 8 messages per call (what batching buys).
 * Each measurement runs twice; the second is the JIT-warm one.
 */
public class WriteFloor {
    public static void main(String[] args) throws Exception {
        int sockets = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        long pauseMillis = Long.parseLong(args[2]);
        int perWrite = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 4096);
        SocketChannel[] writers = new SocketChannel[sockets];
        Selector selector = Selector.open();
        for (int i = 0; i < sockets; i++) {
            SocketChannel reader = SocketChannel.open(server.getLocalAddress());
            writers[i] = server.accept();
            writers[i].setOption(StandardSocketOptions.TCP_NODELAY, true);
            reader.configureBlocking(false);
            reader.register(selector, SelectionKey.OP_READ);
        }
        Thread reader = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocateDirect(65536);
            try {
                while (true) {
                    selector.select();
                    for (SelectionKey key : selector.selectedKeys()) {
                        buffer.clear();
                        ((SocketChannel) key.channel()).read(buffer);
                    }
                    selector.selectedKeys().clear();
                }
            } catch (Exception e) {
                // the process is ending
            }
        });
        reader.setDaemon(true);
        reader.start();
        byte[] message = new byte[100 * perWrite];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int run = 0; run < 2; run++) {
            long writerCpu = threads.getCurrentThreadCpuTime();
            long readerCpu = threads.getThreadCpuTime(reader.getId());
            long writes = 0;
            for (int round = 0; round < rounds; round++) {
                for (SocketChannel socket : writers) {
                    socket.write(ByteBuffer.wrap(message));
                    writes++;
                }
                if (pauseMillis > 0) {
                    Thread.sleep(pauseMillis);
                }
            }
            double writer = (threads.getCurrentThreadCpuTime() - writerCpu) / 1000.0 / writes;
            double drained = (threads.getThreadCpuTime(reader.getId()) - readerCpu) / 1000.0 / writes;
            System.out.printf("%d sockets, %d rounds, pause %d ms, %d message(s) per write: writer %.2f us per write"
                    + " (%.2f per message), reader %.2f us per write%n",
                    sockets, rounds, pauseMillis, perWrite, writer, writer / perWrite, drained);
        }
    }
}
