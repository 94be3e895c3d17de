package io.ferry.device.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.device.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDeviceTest {

  private static final long KIB = 1024;
  private static final long MIB = 1024 * KIB;
  private static final long TIB = 1024 * 1024 * MIB;

  @TempDir Path dir;

  private static ByteBuffer pattern(int n, int seed) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) (seed | 1));
    return ByteBuffer.wrap(b);
  }

  @Test
  void createdFileIsOneHoleOfTheRightSize() throws IOException {
    Path p = dir.resolve("a.raw");
    try (FileDevice dev = FileDevice.create(p, 10 * MIB + 3, true)) {
      assertThat(dev.size()).isEqualTo(10 * MIB + 3);
      assertThat(dev.canExtents()).isTrue();
      assertThat(dev.extents(0, dev.size())).isEmpty();
    }
    assertThat(Files.size(p)).isEqualTo(10 * MIB + 3);
    assertThat(allocatedBytes(p)).isZero();
  }

  @Test
  void zeroSizedFile() throws IOException {
    try (FileDevice dev = FileDevice.create(dir.resolve("z.raw"), 0, true)) {
      assertThat(dev.size()).isZero();
      assertThat(dev.extents(0, 0)).isEmpty();
      dev.flush();
    }
  }

  @Test
  void terabyteSparseFileReportsItsTwoDataExtents() throws IOException {
    Path p = dir.resolve("big.raw");
    try (FileDevice dev = FileDevice.create(p, TIB, true)) {
      dev.write(MIB, pattern((int) MIB, 3));
      dev.write(TIB - 64 * KIB, pattern((int) (64 * KIB), 5));
      assertThat(dev.extents(0, TIB))
          .containsExactly(new Extent(MIB, MIB), new Extent(TIB - 64 * KIB, 64 * KIB));
      // clipped to the asked range
      assertThat(dev.extents(MIB + 100, 10)).containsExactly(new Extent(MIB + 100, 10));
      assertThat(dev.extents(3 * MIB, TIB - 4 * MIB)).isEmpty();
    }
    assertThat(allocatedBytes(p)).isLessThan(4 * MIB);
  }

  @Test
  void unalignedSizeReadsAndWritesToTheEnd() throws IOException {
    long size = 3 * MIB + 517;
    try (FileDevice dev = FileDevice.create(dir.resolve("u.raw"), size, true)) {
      dev.write(size - 517, pattern(517, 7));
      ByteBuffer back = ByteBuffer.allocateDirect(517);
      dev.read(size - 517, back);
      back.flip();
      assertThat(back).isEqualTo(pattern(517, 7));
      assertThat(dev.extents(0, size)).hasSize(1);
      assertThat(dev.extents(0, size).get(0).end()).isEqualTo(size);
      assertThatThrownBy(() -> dev.write(size - 1, pattern(2, 1))).isInstanceOf(IOException.class);
    }
  }

  @Test
  void punchingMakesHolesThatReadAsZeros() throws IOException {
    Path p = dir.resolve("p.raw");
    try (FileDevice dev = FileDevice.create(p, 8 * MIB, true)) {
      dev.write(0, pattern((int) (8 * MIB), 9));
      dev.writeZeroes(MIB, 2 * MIB, true);
      assertThat(dev.canDeallocate()).isTrue();
      assertThat(dev.extents(0, 8 * MIB))
          .containsExactly(new Extent(0, MIB), new Extent(3 * MIB, 5 * MIB));
      ByteBuffer back = ByteBuffer.allocate((int) (2 * MIB));
      dev.read(MIB, back);
      assertThat(back.array()).containsOnly((byte) 0);
      dev.writeZeroes(5 * MIB, 100, false); // allocated zeros stay data
      ByteBuffer small = ByteBuffer.allocate(102);
      dev.read(5 * MIB - 1, small);
      assertThat(small.get(0)).isNotZero();
      assertThat(small.get(1)).isZero();
      assertThat(small.get(100)).isZero();
      assertThat(small.get(101)).isNotZero();
    }
    assertThat(allocatedBytes(p)).isLessThanOrEqualTo(6 * MIB + 8 * KIB);
  }

  @Test
  void readOnlyRefusesWritesAndCreateRefusesExisting() throws IOException {
    Path p = dir.resolve("r.raw");
    FileDevice.create(p, MIB, true).close();
    try (FileDevice dev = FileDevice.openReadOnly(p)) {
      assertThat(dev.isReadOnly()).isTrue();
      assertThat(dev.canDeallocate()).isFalse();
      assertThatThrownBy(() -> dev.write(0, pattern(10, 1))).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> dev.writeZeroes(0, 10, true)).isInstanceOf(IOException.class);
    }
    assertThatThrownBy(() -> FileDevice.create(p, MIB, true))
        .isInstanceOf(FileAlreadyExistsException.class);
  }

  @Test
  void nonSparseCreateAllocates() throws IOException {
    Path p = dir.resolve("full.raw");
    try (FileDevice dev = FileDevice.create(p, 4 * MIB, false)) {
      dev.close();
      dev.close(); // idempotent
    }
    assertThat(allocatedBytes(p)).isGreaterThanOrEqualTo(4 * MIB);
  }

  @Test
  void anInterruptedThreadDoesNotBreakTheDeviceForOthers() throws Exception {
    try (FileDevice dev = FileDevice.create(dir.resolve("i.raw"), MIB, true)) {
      Thread.currentThread().interrupt();
      assertThatThrownBy(() -> dev.write(0, pattern(4096, 3)))
          .isInstanceOf(java.io.InterruptedIOException.class);
      assertThat(Thread.interrupted()).isTrue();
      dev.write(0, pattern(4096, 3)); // the channel was reopened
      ByteBuffer back = ByteBuffer.allocate(4096);
      dev.read(0, back);
      assertThat(back.flip()).isEqualTo(pattern(4096, 3));
    }
  }

  /** Bytes the file system allocated (stat blocks, 512-byte units). */
  static long allocatedBytes(Path p) throws IOException {
    Process proc = new ProcessBuilder("stat", "-c", "%b %B", p.toString()).start();
    String[] out = new String(proc.getInputStream().readAllBytes()).trim().split(" ");
    return Long.parseLong(out[0]) * Long.parseLong(out[1]);
  }
}
