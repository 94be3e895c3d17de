package io.ferry.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.BlockDevice;
import io.ferry.device.MemoryDevice;
import io.ferry.device.file.FileDevice;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** qemu-img, qemu-io, nbdinfo and nbdcopy against the export, over a Unix socket and TCP. */
class NbdServerInteropTest {

  private static final long SIZE = 8L << 20;

  @TempDir Path dir;

  /** 8 MiB: data at 0-256k and 3M-3M+64k, a hole everywhere else. */
  private static MemoryDevice sample() throws Exception {
    MemoryDevice d = new MemoryDevice("sample", SIZE);
    d.write(0, fill(256 << 10, (byte) 0x11));
    d.write(3L << 20, fill(64 << 10, (byte) 0x22));
    return d;
  }

  static ByteBuffer fill(int n, byte b) {
    byte[] a = new byte[n];
    Arrays.fill(a, b);
    a[0] = 1; // not all one byte, so a misplaced chunk shows
    return ByteBuffer.wrap(a);
  }

  private static void writeRaw(BlockDevice d, Path out) throws Exception {
    ByteBuffer all = ByteBuffer.allocate((int) d.size());
    d.read(0, all);
    Files.write(out, all.array());
  }

  @Test
  void qemuImgConvertsAndComparesOverAUnixSocket() throws Exception {
    Tools.require("qemu-img");
    MemoryDevice src = sample();
    Path sock = dir.resolve("nbd.sock");
    Path expected = dir.resolve("expected.raw");
    writeRaw(src, expected);
    try (NbdServer nbd = NbdServer.start(src, UnixDomainSocketAddress.of(sock), "vol", true)) {
      Path out = dir.resolve("out.raw");
      Tools.ok("qemu-img", "convert", "-f", "raw", "-O", "raw", nbd.uri(), out.toString());
      Tools.ok("qemu-img", "compare", "-f", "raw", "-F", "raw", expected.toString(),
          out.toString());
      Tools.ok("qemu-img", "compare", "-f", "raw", "-F", "raw", expected.toString(), nbd.uri());
      String info = Tools.ok("qemu-img", "info", "-f", "raw", nbd.uri());
      assertThat(info).contains("8 MiB");
    }
    assertThat(sock).doesNotExist();
  }

  @Test
  void qemuImgMapReportsTheHolesThroughBlockStatusOverTcp() throws Exception {
    Tools.require("qemu-img");
    try (NbdServer nbd = NbdServer.start(sample(),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "vol", false)) {
      String map = Tools.ok("qemu-img", "map", "-f", "raw", "--output=json", nbd.uri());
      assertThat(map.replace(" ", ""))
          .contains("\"start\":0,\"length\":262144,\"depth\":0,\"present\":true,\"zero\":false,"
              + "\"data\":true")
          .contains("\"start\":262144,\"length\":2883584,\"depth\":0,\"present\":true,"
              + "\"zero\":true,\"data\":false")
          .contains("\"start\":3145728,\"length\":65536,")
          .contains("\"start\":3211264,\"length\":5177344,");
    }
  }

  @Test
  void qemuIoWritesReachTheDeviceAndReadBack() throws Exception {
    Tools.require("qemu-io");
    Path file = dir.resolve("disk.raw");
    try (FileDevice dev = FileDevice.create(file, SIZE, true);
        NbdServer nbd = NbdServer.start(dev, UnixDomainSocketAddress.of(dir.resolve("s")), "vol",
            false)) {
      Tools.ok("qemu-io", "-f", "raw", "-c", "write -P 0x5a 1M 64k", "-c", "write -z 2M 64k",
          "-c", "discard 4M 64k", "-c", "flush", "-c", "write -f -P 0x33 5M 4k", nbd.uri());
      ByteBuffer back = ByteBuffer.allocate(64 << 10);
      dev.read(1L << 20, back);
      for (byte b : back.array()) {
        assertThat(b).isEqualTo((byte) 0x5a);
      }
      Tools.ok("qemu-io", "-f", "raw", "-c", "read -P 0x5a 1M 64k", "-c", "read -P 0x33 5M 4k",
          "-c", "read -P 0 2M 64k", nbd.uri());
    }
  }

  @Test
  void readOnlyExportRefusesWrites() throws Exception {
    Tools.require("qemu-io");
    MemoryDevice src = sample();
    try (NbdServer nbd = NbdServer.start(src, UnixDomainSocketAddress.of(dir.resolve("s")), "vol",
        true)) {
      Tools.Result r = Tools.run("qemu-io", "-f", "raw", "-c", "write -P 0x5a 1M 64k", nbd.uri());
      assertThat(r.exit()).isNotZero();
      assertThat(r.out()).containsAnyOf("read-only", "Permission denied");
      ByteBuffer back = ByteBuffer.allocate(4);
      src.read(1L << 20, back);
      assertThat(back.array()).containsOnly(0);
    }
  }

  @Test
  void nbdinfoMapsAndNbdcopyCopies() throws Exception {
    Tools.require("nbdinfo");
    Tools.require("nbdcopy");
    MemoryDevice src = sample();
    Path expected = dir.resolve("expected.raw");
    writeRaw(src, expected);
    try (NbdServer nbd = NbdServer.start(src, UnixDomainSocketAddress.of(dir.resolve("s")), "vol",
        false)) {
      String info = Tools.ok("nbdinfo", nbd.uri());
      assertThat(info).contains("export-size: 8388608").contains("base:allocation");
      String map = Tools.ok("nbdinfo", "--map", nbd.uri());
      assertThat(map).containsPattern("0\\s+262144\\s+0\\s+data")
          .containsPattern("262144\\s+2883584\\s+3\\s+hole,zero");
      Tools.ok("nbdinfo", "--list", nbd.uri());
      Path out = dir.resolve("copy.raw");
      Tools.ok("nbdcopy", nbd.uri(), out.toString());
      Tools.ok("qemu-img", "compare", "-f", "raw", "-F", "raw", expected.toString(),
          out.toString());
      // and back the other way: nbdcopy writes into the export
      MemoryDevice dst = new MemoryDevice("dst", SIZE);
      try (NbdServer w = NbdServer.start(dst, UnixDomainSocketAddress.of(dir.resolve("w")), "w",
          false)) {
        Tools.ok("nbdcopy", expected.toString(), w.uri());
        Path back = dir.resolve("back.raw");
        writeRaw(dst, back);
        Tools.ok("qemu-img", "compare", "-f", "raw", "-F", "raw", expected.toString(),
            back.toString());
      }
    }
  }
}
