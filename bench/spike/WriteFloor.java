import java.lang.management.*; import java.net.*; import java.nio.*; import java.nio.channels.*; import java.util.*;
/** Writer CPU per 100-byte write to N loopback sockets, a reader thread draining all with one selector. */
public class WriteFloor {
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[0]); int rounds = Integer.parseInt(a[1]); long pauseMs = Long.parseLong(a[2]); int perWrite = a.length > 3 ? Integer.parseInt(a[3]) : 1;
    ServerSocketChannel ss = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 4096);
    SocketChannel[] srv = new SocketChannel[n]; Selector sel = Selector.open();
    for (int i = 0; i < n; i++) { SocketChannel c = SocketChannel.open(ss.getLocalAddress()); srv[i] = ss.accept(); srv[i].setOption(StandardSocketOptions.TCP_NODELAY, true); c.configureBlocking(false); c.register(sel, SelectionKey.OP_READ); }
    Thread reader = new Thread(() -> { ByteBuffer b = ByteBuffer.allocateDirect(65536); try { while (true) { sel.select(); for (SelectionKey k : sel.selectedKeys()) { b.clear(); ((SocketChannel) k.channel()).read(b); } sel.selectedKeys().clear(); } } catch (Exception e) { } });
    reader.setDaemon(true); reader.start();
    byte[] msg = new byte[100 * perWrite]; ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int warm = 0; warm < 2; warm++) {
      long cpu0 = mx.getCurrentThreadCpuTime(), r0 = mx.getThreadCpuTime(reader.getId()); long writes = 0;
      for (int r = 0; r < rounds; r++) { for (SocketChannel s : srv) { s.write(ByteBuffer.wrap(msg)); writes++; } if (pauseMs > 0) Thread.sleep(pauseMs); }
      long cpu = mx.getCurrentThreadCpuTime() - cpu0, rc = mx.getThreadCpuTime(reader.getId()) - r0;
      System.out.printf("n=%d rounds=%d pause=%dms frames/write=%d: writer %.2f us per write (%.2f per frame), reader %.2f us per write%n", n, rounds, pauseMs, perWrite, cpu / 1000.0 / writes, cpu / 1000.0 / writes / perWrite, rc / 1000.0 / writes);
    }
  }
}
