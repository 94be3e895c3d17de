package io.ferry.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.BlockDevice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** qcow2 images made by qemu-img in every variant, read by Ferry, compared by qemu-img. */
class Qcow2CorpusTest {

  static final long ODD = (1 << 20) * 3 + 512;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {
      "compat=0.10", "compat=1.1", "cluster_size=512", "cluster_size=4096",
      "cluster_size=2097152", "compression_type=zlib:c", "compression_type=zstd:c",
      "extended_l2=on", "extended_l2=on,cluster_size=16384", "cluster_size=4096:c",
      "compat=0.10:c"})
  void readsWhatQemuWrote(String variant) throws Exception {
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), ODD, variant.hashCode());
    Path img = dir.resolve("img.qcow2");
    String[] parts = variant.split(":");
    List<String> cmd = new ArrayList<>(List.of("qemu-img", "convert", "-f", "raw", "-O", "qcow2",
        "-o", parts[0]));
    if (parts.length > 1) {
      cmd.add("-c");
    }
    cmd.add(raw.toString());
    cmd.add(img.toString());
    Qemu.ok(cmd.toArray(String[]::new));
    Path out = Images.readToRaw(img, dir.resolve("out.raw"));
    Qemu.assertSame(raw, "raw", out, "raw");
  }

  @Test
  void zeroClustersAndSubclustersReadAsZeros() throws Exception {
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), 4 << 20, 7);
    for (String opts : new String[] {"compat=1.1", "extended_l2=on"}) {
      Path img = dir.resolve("z.qcow2");
      Qemu.ok("qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-o", opts, raw.toString(),
          img.toString());
      Qemu.ok("qemu-io", "-f", "qcow2", "-c", "write -z 65536 131072", "-c",
          "write -z 1048576 4096", "-c", "write -P 0x5a 2097152 1024", img.toString());
      Qemu.ok("qemu-io", "-f", "raw", "-c", "write -z 65536 131072", "-c",
          "write -z 1048576 4096", "-c", "write -P 0x5a 2097152 1024", raw.toString());
      Path out = Images.readToRaw(img, dir.resolve("out.raw"));
      Qemu.assertSame(raw, "raw", out, "raw");
    }
  }

  @Test
  void largeImageWithHoles() throws Exception {
    Path raw = Qemu.rawImage(dir.resolve("big.raw"), 100L << 20, 42);
    Path img = dir.resolve("big.qcow2");
    Qemu.ok("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), img.toString());
    try (BlockDevice dev = Formats.open(FileStore.open(img, true), ImageFormat.QCOW2, true)) {
      assertThat(dev.size()).isEqualTo(100L << 20);
      assertThat(dev.extents(0, dev.size())).isNotEmpty();
      long allocated = dev.extents(0, dev.size()).stream().mapToLong(e -> e.length()).sum();
      assertThat(allocated).isLessThan(dev.size());
    }
    Path out = Images.readToRaw(img, dir.resolve("out.raw"));
    Qemu.assertSame(raw, "raw", out, "raw");
  }
}
