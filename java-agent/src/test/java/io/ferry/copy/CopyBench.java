package io.ferry.copy;

import io.ferry.device.WriteTap;
import io.ferry.device.file.FileDevice;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a test: copies a raw file with the engine and prints the time, for comparing with
 * {@code qemu-img convert}. Usage: CopyBench SRC DST [verify] [chunkKiB] [parallelism].
 */
public final class CopyBench {

  /** This process's user and system CPU seconds so far. */
  static double[] cpu() throws java.io.IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return new double[] {Long.parseLong(f[11]) / 100.0, Long.parseLong(f[12]) / 100.0};
  }

  public static void main(String[] args) throws Exception {
    Path src = Path.of(args[0]);
    Path dst = Path.of(args[1]);
    boolean verify = args.length > 2 && Boolean.parseBoolean(args[2]);
    long chunk = (args.length > 3 ? Long.parseLong(args[3]) : CopyPlan.DEFAULT_CHUNK / 1024) * 1024;
    int par = args.length > 4 ? Integer.parseInt(args[4]) : CopyPlan.DEFAULT_PARALLELISM;
    Files.deleteIfExists(dst);
    long t0 = System.nanoTime();
    FileDevice probe = FileDevice.openReadOnly(src);
    System.out.printf("%6.2f s  opened (JNA loaded)%n", (System.nanoTime() - t0) / 1e9);
    probe.extents(0, probe.size());
    probe.close();
    System.out.printf("%6.2f s  extents%n", (System.nanoTime() - t0) / 1e9);
    double[] cpu0 = cpu();
    long c0 = System.nanoTime();
    try (FileDevice in = FileDevice.openReadOnly(src);
        FileDevice out = FileDevice.create(dst, in.size(), true);
        TapChangeFeed feed = new TapChangeFeed(new WriteTap(in))) {
      io.ferry.device.BlockDevice target = Boolean.getBoolean("noflush")
          ? new io.ferry.device.ForwardingDevice(out) { @Override public void flush() {} } : out;
      if (Boolean.getBoolean("nullwrite")) {
        target = new io.ferry.device.ForwardingDevice(out) {
          @Override public void write(long o, java.nio.ByteBuffer b) { b.position(b.limit()); }
        };
      }
      CopyPlan plan = new CopyPlan(feed, target, Throttle.NONE, chunk, par, true, verify, 1 << 20, 4);
      CopyResult r = new CopyEngine(plan, new CopyListener() {
        @Override public void phase(CopyPhase phase) {
          System.out.printf("%6.2f s  %s%n", (System.nanoTime() - t0) / 1e9, phase);
        }
        @Override public void progress(CopyProgress progress) {}
        @Override public void checkpoint(CopyCheckpoint checkpoint) {}
      }).run(null);
      double[] cpu1 = cpu();
      System.out.printf("copy alone: wall %.2f s, cpu user %.2f sys %.2f%n",
          (System.nanoTime() - c0) / 1e9, cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]);
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("copied %d bytes (holes %d) in %.2f s = %.0f MiB/s of source, verified=%s%n",
          r.bytesCopied(), r.holeBytes(), s, r.sourceSize() / s / (1 << 20), r.verified());
    }
  }
}
