package io.ferry.nbd;

import static io.ferry.nbd.NbdProtocol.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.MemoryDevice;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A client that breaks the rules gets an error reply or a closed connection; the server lives. */
class HostileClientTest {

  private MemoryDevice device;
  private NbdServer server;

  @BeforeEach
  void start() throws IOException {
    device = new MemoryDevice("hostile", 1 << 20);
    server = NbdServer.start(device, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        "vol", false);
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  private SocketChannel connect() throws IOException {
    SocketChannel ch = SocketChannel.open(server.address());
    NbdWire wire = new NbdWire(ch);
    ByteBuffer greeting = wire.read(18);
    assertThat(greeting.getLong()).isEqualTo(NBDMAGIC);
    assertThat(greeting.getLong()).isEqualTo(IHAVEOPT);
    wire.write(ByteBuffer.allocate(4).putInt(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES).flip());
    return ch;
  }

  /** Negotiates with EXPORT_NAME (simple replies) and returns the open channel. */
  private SocketChannel transmission() throws IOException {
    SocketChannel ch = connect();
    NbdWire wire = new NbdWire(ch);
    wire.write(option(OPT_EXPORT_NAME, new byte[0]));
    ByteBuffer r = wire.read(10);
    assertThat(r.getLong()).isEqualTo(1 << 20);
    return ch;
  }

  private static ByteBuffer option(int opt, byte[] data) {
    return ByteBuffer.allocate(16 + data.length).putLong(IHAVEOPT).putInt(opt)
        .putInt(data.length).put(data).flip();
  }

  private static ByteBuffer request(int type, long offset, long length) {
    return ByteBuffer.allocate(28).putInt(REQUEST_MAGIC).putShort((short) 0)
        .putShort((short) type).putLong(77).putLong(offset).putInt((int) length).flip();
  }

  /** The errno of the next simple reply. */
  private static int simpleError(NbdWire wire) throws IOException {
    ByteBuffer r = wire.read(16);
    assertThat(r.getInt()).isEqualTo(SIMPLE_REPLY_MAGIC);
    int error = r.getInt();
    assertThat(r.getLong()).isEqualTo(77);
    return error;
  }

  private static boolean closedByServer(SocketChannel ch) throws IOException {
    try {
      return ch.read(ByteBuffer.allocate(1)) < 0;
    } catch (IOException e) {
      return true;
    }
  }

  @Test
  void unknownOptionGetsErrUnsupAndBadOptionMagicClosesTheConnection() throws IOException {
    try (SocketChannel ch = connect()) {
      NbdWire wire = new NbdWire(ch);
      wire.write(option(99, new byte[] {1, 2, 3}));
      ByteBuffer r = wire.read(20);
      assertThat(r.getLong()).isEqualTo(REPLY_MAGIC);
      assertThat(r.getInt()).isEqualTo(99);
      assertThat(r.getInt()).isEqualTo(REP_ERR_UNSUP);
      wire.write(ByteBuffer.allocate(16).putLong(0xdeadbeefL).putInt(1).putInt(0).flip());
      assertThat(closedByServer(ch)).isTrue();
    }
    stillServes();
  }

  @Test
  void outOfRangeAndOversizedRequestsGetErrorReplies() throws IOException {
    try (SocketChannel ch = transmission()) {
      NbdWire wire = new NbdWire(ch);
      wire.write(request(CMD_READ, (1 << 20) - 512, 4096));
      assertThat(simpleError(wire)).isEqualTo(EINVAL);
      wire.write(request(CMD_READ, Long.MAX_VALUE, 512));
      assertThat(simpleError(wire)).isEqualTo(EINVAL);
      wire.write(request(CMD_READ, 0, 0xffffffffL));
      assertThat(simpleError(wire)).isEqualTo(EINVAL);
      wire.write(request(CMD_WRITE_ZEROES, 1 << 20, 4096));
      assertThat(simpleError(wire)).isEqualTo(ENOSPC);
      wire.write(request(CMD_WRITE, -4096, 16), ByteBuffer.allocate(16));
      assertThat(simpleError(wire)).isEqualTo(ENOSPC);
      wire.write(request(42, 0, 512));
      assertThat(simpleError(wire)).isEqualTo(EINVAL);
      wire.write(request(CMD_BLOCK_STATUS, 0, 512));
      assertThat(simpleError(wire)).as("no meta context negotiated").isEqualTo(EINVAL);
      // the connection still works after all that
      wire.write(request(CMD_READ, 0, 512));
      assertThat(simpleError(wire)).isZero();
      assertThat(wire.read(512).remaining()).isEqualTo(512);
    }
    assertThat(device.allocatedBytes()).isZero();
  }

  @Test
  void oversizedWriteIsRefusedAndTheStreamStaysInStep() throws IOException {
    try (SocketChannel ch = transmission()) {
      NbdWire wire = new NbdWire(ch);
      int huge = MAX_REQUEST + 4096;
      wire.write(request(CMD_WRITE, 0, huge), ByteBuffer.allocate(huge));
      assertThat(simpleError(wire)).isEqualTo(EOVERFLOW);
      wire.write(request(CMD_READ, 0, 512));
      assertThat(simpleError(wire)).isZero();
      assertThat(wire.read(512).remaining()).isEqualTo(512);
    }
    assertThat(device.allocatedBytes()).isZero();
  }

  @Test
  void readOnlyExportRefusesWritesWithEperm() throws IOException {
    try (NbdServer ro = NbdServer.start(device,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "ro", true);
        SocketChannel ch = SocketChannel.open(ro.address())) {
      NbdWire wire = new NbdWire(ch);
      wire.read(18);
      wire.write(ByteBuffer.allocate(4).putInt(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES).flip());
      wire.write(option(OPT_EXPORT_NAME, "ro".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      ByteBuffer r = wire.read(10);
      r.getLong();
      assertThat(r.getShort() & TF_READ_ONLY).isNotZero();
      wire.write(request(CMD_WRITE, 0, 16), ByteBuffer.allocate(16));
      assertThat(simpleError(wire)).isEqualTo(EPERM);
      wire.write(request(CMD_TRIM, 0, 4096));
      assertThat(simpleError(wire)).isEqualTo(EPERM);
    }
  }

  @Test
  void badRequestMagicClosesTheConnection() throws IOException {
    try (SocketChannel ch = transmission()) {
      NbdWire wire = new NbdWire(ch);
      wire.write(ByteBuffer.allocate(28).putInt(0, 0x12345678));
      assertThat(closedByServer(ch)).isTrue();
    }
    stillServes();
  }

  @Test
  void clientVanishingMidRequestLeavesTheServerUp() throws IOException {
    try (SocketChannel ch = transmission()) {
      new NbdWire(ch).write(request(CMD_WRITE, 0, 4096), ByteBuffer.allocate(100));
    }
    stillServes();
  }

  private void stillServes() throws IOException {
    try (SocketChannel ch = transmission()) {
      NbdWire wire = new NbdWire(ch);
      wire.write(request(CMD_FLUSH, 0, 0));
      assertThat(simpleError(wire)).isZero();
      wire.write(request(CMD_DISC, 0, 0));
      assertThat(closedByServer(ch)).isTrue();
    }
  }
}
