package io.ferry.copy;

import static io.ferry.copy.Fixtures.KIB;
import static io.ferry.copy.Fixtures.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.Extent;
import io.ferry.device.WriteTap;
import io.ferry.device.file.FileDevice;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copies between real raw files in a temporary directory. */
class FileCopyTest {

  private static final long TIB = 1L << 40;

  @TempDir Path dir;

  private CopyResult copy(Path from, Path to, boolean verify) throws Exception {
    try (FileDevice src = FileDevice.openReadOnly(from);
        FileDevice dst = FileDevice.create(to, src.size(), true);
        TapChangeFeed feed = new TapChangeFeed(new WriteTap(src))) {
      CopyPlan plan = new CopyPlan(feed, dst, Throttle.NONE, CopyPlan.DEFAULT_CHUNK,
          CopyPlan.DEFAULT_PARALLELISM, true, verify, MIB, 4);
      return new CopyEngine(plan, new RecordingListener()).run(null);
    }
  }

  @Test
  void terabyteSparseFileKeepsItsHoles() throws Exception {
    Path from = dir.resolve("src.raw");
    try (FileDevice src = FileDevice.create(from, TIB, true)) {
      Fixtures.fill(src, 3 * MIB + 512, 5 * MIB, 1);
      Fixtures.fill(src, TIB / 2, 64 * KIB, 2);
    }
    Path to = dir.resolve("dst.raw");
    CopyResult r = copy(from, to, true);
    assertThat(r.verified()).isTrue();
    assertThat(r.holeBytes()).isGreaterThan(TIB - 8 * MIB);
    try (FileDevice src = FileDevice.openReadOnly(from); FileDevice dst = FileDevice.openReadOnly(to)) {
      assertThat(dst.size()).isEqualTo(TIB);
      assertThat(dst.extents(0, TIB)).isEqualTo(src.extents(0, TIB));
      assertThat(dst.extents(0, TIB)).hasSize(2);
    }
    assertThat(allocated(to)).isLessThan(6 * MIB);
  }

  @Test
  void unalignedFileWithZeroRegionsCopiesExactly() throws Exception {
    Path from = dir.resolve("u.raw");
    long size = 9 * MIB + 4097;
    try (FileDevice src = FileDevice.create(from, size, true)) {
      Fixtures.fill(src, 0, MIB, 1);
      src.writeZeroes(MIB, 2 * MIB, false); // allocated zeros: become a hole on the copy
      Fixtures.fill(src, size - 4097, 4097, 2);
    }
    Path to = dir.resolve("u2.raw");
    copy(from, to, true);
    try (FileDevice src = FileDevice.openReadOnly(from); FileDevice dst = FileDevice.openReadOnly(to)) {
      Fixtures.assertSameContent(src, dst);
      assertThat(dst.extents(0, size)).containsExactly(new Extent(0, MIB), new Extent(9 * MIB, 4097));
    }
  }

  @Test
  void zeroSizedFile() throws Exception {
    Path from = dir.resolve("zero.raw");
    FileDevice.create(from, 0, true).close();
    CopyResult r = copy(from, dir.resolve("zero2.raw"), true);
    assertThat(r.sourceSize()).isZero();
    assertThat(r.verified()).isTrue();
  }

  private static long allocated(Path p) throws IOException {
    Process proc = new ProcessBuilder("stat", "-c", "%b %B", p.toString()).start();
    String[] out = new String(proc.getInputStream().readAllBytes()).trim().split(" ");
    return Long.parseLong(out[0]) * Long.parseLong(out[1]);
  }
}
