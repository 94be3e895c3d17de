package io.ferry.format;

import io.ferry.copy.CopyCheckpoint;
import io.ferry.copy.CopyEngine;
import io.ferry.copy.CopyListener;
import io.ferry.copy.CopyPhase;
import io.ferry.copy.CopyPlan;
import io.ferry.copy.CopyProgress;
import io.ferry.copy.CopyResult;
import io.ferry.copy.TapChangeFeed;
import io.ferry.copy.Throttle;
import io.ferry.device.BlockDevice;
import io.ferry.device.WriteTap;
import io.ferry.endpoint.FormatRegistry;
import io.ferry.endpoint.ImageFileCodec;
import io.ferry.endpoint.RawFileCodec;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a test: converts SRC (format FROM) to DST (format TO) in process with the copy engine and
 * prints phase times, to find where conversion time goes without the agent and CLI around it.
 * Usage: ConvertBench SRC FROM DST TO [verify] [chunkKiB] [parallelism].
 */
public final class ConvertBench {

  public static void main(String[] args) throws Exception {
    Path src = Path.of(args[0]);
    Path dst = Path.of(args[2]);
    boolean verify = args.length > 4 && Boolean.parseBoolean(args[4]);
    long chunk = (args.length > 5 ? Long.parseLong(args[5]) : 4096) * 1024;
    int par = args.length > 6 ? Integer.parseInt(args[6]) : CopyPlan.DEFAULT_PARALLELISM;
    Files.deleteIfExists(dst);
    long t0 = System.nanoTime();
    try (BlockDevice in = codec(args[1]).open(src, true);
        BlockDevice out = codec(args[3]).create(dst, in.size());
        TapChangeFeed feed = new TapChangeFeed(new WriteTap(in))) {
      System.out.printf("%6.2f s  opened%n", (System.nanoTime() - t0) / 1e9);
      CopyPlan plan = new CopyPlan(feed, out, Throttle.NONE, chunk, par, true, verify, 1 << 20, 4);
      CopyResult r = new CopyEngine(plan, new CopyListener() {
        @Override public void phase(CopyPhase phase) {
          System.out.printf("%6.2f s  %s%n", (System.nanoTime() - t0) / 1e9, phase);
        }
        @Override public void progress(CopyProgress progress) {}
        @Override public void checkpoint(CopyCheckpoint checkpoint) {}
      }).run(null);
      out.flush();
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("copied %d bytes (holes %d) in %.2f s = %.0f MiB/s of data%n",
          r.bytesCopied(), r.holeBytes(), s, r.bytesCopied() / s / (1 << 20));
    }
  }

  static FormatRegistry.Codec codec(String name) {
    return name.equals("raw") ? new RawFileCodec()
        : new ImageFileCodec(ImageFormat.valueOf(name.toUpperCase()));
  }
}
