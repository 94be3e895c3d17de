package io.ferry.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.copy.CopyEngine;
import io.ferry.copy.CopyListener;
import io.ferry.copy.CopyPlan;
import io.ferry.copy.CopyResult;
import io.ferry.copy.TapChangeFeed;
import io.ferry.copy.Throttle;
import io.ferry.device.BlockDevice;
import io.ferry.device.WriteTap;
import io.ferry.device.file.FileDevice;
import io.ferry.endpoint.ImageFileCodec;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Conversion between formats through the copy engine, opened the way the agent opens file
 * endpoints ({@link ImageFileCodec}); checked with qemu-img, holes kept.
 */
class ConversionTest {

  static final long SIZE = 24L << 20;
  static final CopyListener QUIET = new CopyListener() {
    @Override
    public void phase(io.ferry.copy.CopyPhase phase) {}

    @Override
    public void progress(io.ferry.copy.CopyProgress progress) {}

    @Override
    public void checkpoint(io.ferry.copy.CopyCheckpoint checkpoint) {}
  };

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"qcow2,raw", "raw,qcow2", "vmdk,raw", "vpc,raw", "vhdx,raw", "raw,vmdk",
      "raw,vpc", "qcow2,vpc", "vmdk,qcow2"})
  void convertsKeepingHoles(String from, String to) throws Exception {
    Path raw = Qemu.rawImage(dir.resolve("orig.raw"), SIZE, 99);
    Path src = dir.resolve("src." + from);
    if (from.equals("raw")) {
      src = raw;
    } else {
      Qemu.ok("qemu-img", "convert", "-f", "raw", "-O", from, raw.toString(), src.toString());
    }
    Path dst = dir.resolve("dst." + to);
    CopyResult r;
    // Sources are opened writable, as the agent does (so its write tap sees other writers).
    try (BlockDevice in = codec(from).open(src, false);
        BlockDevice out = codec(to).create(dst, in.size());
        TapChangeFeed feed = new TapChangeFeed(new WriteTap(in))) {
      CopyPlan plan = new CopyPlan(feed, out, Throttle.NONE, 1 << 20, 4, true, true, 1 << 20, 2);
      r = new CopyEngine(plan, QUIET).run(null);
    }
    assertThat(r.verified()).isTrue();
    assertThat(r.holeBytes()).isPositive();
    if (!to.equals("raw") && !to.equals("vpc")) {
      Qemu.ok("qemu-img", "check", "-f", to, dst.toString());
    }
    String info = Qemu.ok("qemu-img", "info", "-f", to, "--output=json", dst.toString());
    assertThat(info).contains("\"virtual-size\": " + sizeOf(src, from) + ",");
    Qemu.ok("qemu-img", "compare", "-f", from, "-F", to, src.toString(), dst.toString());
    if (to.equals("raw")) {
      try (FileDevice d = FileDevice.openReadOnly(dst)) {
        long allocated = d.extents(0, d.size()).stream().mapToLong(e -> e.length()).sum();
        assertThat(allocated).isLessThan(d.size());
      }
    }
  }

  private static long sizeOf(Path img, String fmt) throws Exception {
    String info = Qemu.ok("qemu-img", "info", "-f", fmt, "--output=json", img.toString());
    int i = info.indexOf("\"virtual-size\": ") + 16;
    return Long.parseLong(info.substring(i, info.indexOf(',', i)).trim());
  }

  private static io.ferry.endpoint.FormatRegistry.Codec codec(String qemuName) {
    return switch (qemuName) {
      case "raw" -> new io.ferry.endpoint.RawFileCodec();
      case "vpc" -> new ImageFileCodec(ImageFormat.VHD);
      default -> new ImageFileCodec(ImageFormat.valueOf(qemuName.toUpperCase()));
    };
  }
}
