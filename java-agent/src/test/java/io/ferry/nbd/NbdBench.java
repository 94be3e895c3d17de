package io.ferry.nbd;

import io.ferry.device.BlockDevice;
import io.ferry.device.ForwardingDevice;
import io.ferry.device.file.FileDevice;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * Not a test: reads a raw file through the export with nbdcopy (one connection) and
 * {@code qemu-img convert -m 16 -W}, requests served one at a time versus concurrently, in the
 * same run. Usage: NbdBench DIR [MiB] [latencyMicros] [rounds].
 */
public final class NbdBench {

  /** Adds a fixed latency to every read, like storage across a network. */
  static final class Latency extends ForwardingDevice {
    private final long nanos;

    Latency(BlockDevice d, long micros) {
      super(d);
      this.nanos = micros * 1000;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
      LockSupport.parkNanos(nanos);
      super.read(offset, dst);
    }
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long mib = args.length > 1 ? Long.parseLong(args[1]) : 512;
    long latency = args.length > 2 ? Long.parseLong(args[2]) : 0;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    Files.createDirectories(dir);
    Path src = dir.resolve("bench-src.raw");
    Path out = dir.resolve("bench-out.raw");
    try (FileDevice f = FileDevice.create(src, mib << 20, true)) {
      byte[] block = new byte[1 << 20];
      Random rnd = new Random(1);
      for (long off = 0; off < mib << 20; off += block.length) {
        rnd.nextBytes(block);
        f.write(off, ByteBuffer.wrap(block));
      }
      f.flush();
    }
    try (FileDevice f = FileDevice.openReadOnly(src)) {
      BlockDevice dev = latency > 0 ? new Latency(f, latency) : f;
      for (int round = 1; round <= rounds; round++) {
        for (int inFlight : new int[] {1, NbdServer.DEFAULT_IN_FLIGHT}) {
          Path sock = dir.resolve("bench-" + inFlight + ".sock");
          Files.deleteIfExists(sock);
          try (NbdServer s = NbdServer.start(dev, UnixDomainSocketAddress.of(sock), "b", true,
              inFlight)) {
            String uri = s.uri();
            double nbdcopy = time(mib, List.of("nbdcopy", "--connections=1", uri,
                out.toString()));
            Files.deleteIfExists(out);
            double qemu = time(mib, List.of("qemu-img", "convert", "-m", "16", "-W", "-f", "raw",
                "-O", "raw", uri, out.toString()));
            Files.deleteIfExists(out);
            System.out.printf("round %d in-flight %2d latency %4d us: nbdcopy %7.1f MiB/s, "
                + "qemu-img convert %7.1f MiB/s%n", round, inFlight, latency, nbdcopy, qemu);
          }
        }
      }
    } finally {
      Files.deleteIfExists(src);
      Files.deleteIfExists(out);
    }
  }

  private static double time(long mib, List<String> cmd) throws Exception {
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IOException(cmd + " failed");
    }
    return mib / ((System.nanoTime() - t0) / 1e9);
  }
}
