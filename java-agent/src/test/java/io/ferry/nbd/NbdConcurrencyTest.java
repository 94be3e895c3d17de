package io.ferry.nbd;

import static io.ferry.nbd.NbdProtocol.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.ForwardingDevice;
import io.ferry.device.MemoryDevice;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Requests of one connection are served concurrently with replies in any order, and overlapping
 * writes still land in the order they were sent.
 */
class NbdConcurrencyTest {

  private static final int SIZE = 1 << 20;

  /** Reads at offset 0 block until released: a slow region. */
  static final class SlowDevice extends ForwardingDevice {
    final CountDownLatch release = new CountDownLatch(1);

    SlowDevice(MemoryDevice d) {
      super(d);
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
      if (offset == 0) {
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
      }
      super.read(offset, dst);
    }
  }

  /** Writes take a random 0-2 ms: without ordering, overlapping writes would overtake. */
  static final class JitterDevice extends ForwardingDevice {
    JitterDevice(MemoryDevice d) {
      super(d);
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
      try {
        Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(3));
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
      super.write(offset, src);
    }
  }

  @Test
  void aSlowReadDoesNotHoldBackLaterRequestsAndRepliesComeInAnyOrder() throws Exception {
    SlowDevice dev = new SlowDevice(new MemoryDevice("m", SIZE));
    try (NbdServer server = start(dev, 16); SocketChannel ch = connect(server)) {
      NbdWire wire = new NbdWire(ch);
      wire.write(request(CMD_READ, 1, 0, 4096)); // blocks on the device
      wire.write(request(CMD_WRITE, 2, 65536, 4096), ByteBuffer.wrap(fill(4096, (byte) 9)));
      wire.write(request(CMD_READ, 3, 65536, 4096));
      assertThat(replyHandle(wire, 0)).isEqualTo(2);
      assertThat(replyHandle(wire, 4096)).isEqualTo(3);
      dev.release.countDown();
      assertThat(replyHandle(wire, 4096)).isEqualTo(1);
    }
  }

  @Test
  void overlappingWritesLandInTheOrderSent() throws Exception {
    MemoryDevice mem = new MemoryDevice("m", SIZE);
    try (NbdServer server = start(new JitterDevice(mem), 16); SocketChannel ch = connect(server)) {
      NbdWire wire = new NbdWire(ch);
      int n = 200;
      for (int i = 0; i < n; i++) {
        int len = 4096 * (1 + i % 16);
        long off = (i * 12288L) % (SIZE - len);
        wire.write(request(CMD_WRITE, i, off, len), ByteBuffer.wrap(fill(len, (byte) i)));
        if (i % 50 == 49) {
          wire.write(request(CMD_FLUSH, 1000 + i, 0, 0));
        }
      }
      // a read of everything: sent after all the writes, so it sees all of them
      wire.write(request(CMD_READ, 5000, 0, SIZE));
      byte[] expected = expectedImage();
      List<Long> handles = new ArrayList<>();
      byte[] got = null;
      for (int i = 0; i < n + 5; i++) {
        ByteBuffer head = wire.read(16);
        assertThat(head.getInt()).isEqualTo(SIMPLE_REPLY_MAGIC);
        assertThat(head.getInt()).as("error").isZero();
        long h = head.getLong();
        handles.add(h);
        if (h == 5000) {
          got = wire.read(SIZE).array();
        }
      }
      assertThat(got).isEqualTo(expected);
      assertThat(handles).hasSize(n + 5).doesNotHaveDuplicates();
    }
    ByteBuffer all = ByteBuffer.allocate(SIZE);
    mem.read(0, all);
    assertThat(all.array()).as("on the device").isEqualTo(expectedImage());
  }

  private static byte[] expectedImage() {
    byte[] expected = new byte[SIZE];
    for (int i = 0; i < 200; i++) {
      int len = 4096 * (1 + i % 16);
      int off = (int) ((i * 12288L) % (SIZE - len));
      Arrays.fill(expected, off, off + len, (byte) i);
    }
    return expected;
  }

  @Test
  void oneInFlightServesInOrderAsBefore() throws Exception {
    SlowDevice dev = new SlowDevice(new MemoryDevice("m", SIZE));
    try (NbdServer server = start(dev, 1); SocketChannel ch = connect(server)) {
      NbdWire wire = new NbdWire(ch);
      wire.write(request(CMD_READ, 1, 0, 4096));
      wire.write(request(CMD_READ, 2, 65536, 4096));
      Thread.sleep(200);
      dev.release.countDown();
      assertThat(replyHandle(wire, 4096)).isEqualTo(1);
      assertThat(replyHandle(wire, 4096)).isEqualTo(2);
    }
  }

  private static NbdServer start(io.ferry.device.BlockDevice d, int inFlight) throws IOException {
    return NbdServer.start(d, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "vol",
        false, inFlight);
  }

  /** Negotiates with EXPORT_NAME (simple replies). */
  private static SocketChannel connect(NbdServer server) throws IOException {
    SocketChannel ch = SocketChannel.open(server.address());
    NbdWire wire = new NbdWire(ch);
    wire.read(18);
    wire.write(ByteBuffer.allocate(4).putInt(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES).flip());
    wire.write(ByteBuffer.allocate(16).putLong(IHAVEOPT).putInt(OPT_EXPORT_NAME).putInt(0)
        .flip());
    wire.read(10);
    return ch;
  }

  private static ByteBuffer request(int type, long handle, long offset, long length) {
    return ByteBuffer.allocate(28).putInt(REQUEST_MAGIC).putShort((short) 0)
        .putShort((short) type).putLong(handle).putLong(offset).putInt((int) length).flip();
  }

  /** Reads one simple reply (and its {@code payload} bytes); returns its handle. */
  private static long replyHandle(NbdWire wire, int payload) throws IOException {
    ByteBuffer r = wire.read(16);
    assertThat(r.getInt()).isEqualTo(SIMPLE_REPLY_MAGIC);
    assertThat(r.getInt()).as("error").isZero();
    long handle = r.getLong();
    if (payload > 0) {
      wire.read(payload);
    }
    return handle;
  }

  private static byte[] fill(int n, byte v) {
    byte[] a = new byte[n];
    Arrays.fill(a, v);
    return a;
  }
}
