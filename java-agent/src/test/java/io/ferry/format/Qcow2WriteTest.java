package io.ferry.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.BlockDevice;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** qcow2 images written by Ferry pass qemu-img check and hold the source's data. */
class Qcow2WriteTest {

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"65536,,3146240", "512,,1049088", "4096,zlib,3146240", "65536,zlib,3146240",
      "65536,zstd,3146240", "2097152,,5243392", "65536,,0"})
  void writesImagesQemuAccepts(int cluster, String compression, long size) throws Exception {
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), size, cluster + size);
    Path img = dir.resolve("out.qcow2");
    CreateOptions o = CreateOptions.DEFAULTS.withClusterSize(cluster);
    if (compression != null) {
      o = o.withCompression(compression);
    }
    try (BlockDevice dev = Formats.create(FileStore.create(img), ImageFormat.QCOW2, size, o)) {
      Images.writeFromRaw(raw, dev);
    }
    assertValid(img, size);
    Qemu.assertSame(raw, "raw", img, "qcow2");
    Path back = Images.readToRaw(img, dir.resolve("back.raw"));
    Qemu.assertSame(raw, "raw", back, "raw");
  }

  static void assertValid(Path img, long size) throws Exception {
    Qemu.ok("qemu-img", "check", "-f", "qcow2", img.toString());
    String info = Qemu.ok("qemu-img", "info", "--output=json", img.toString());
    assertThat(info).contains("\"format\": \"qcow2\"").contains("\"virtual-size\": " + size + ",");
  }

  @Test
  void overwritesZeroesAndReopens() throws Exception {
    long size = 8L << 20;
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), size, 3);
    Path img = dir.resolve("out.qcow2");
    CreateOptions o = CreateOptions.DEFAULTS.withClusterSize(4096).withCompression("zlib");
    try (BlockDevice dev = Formats.create(FileStore.create(img), ImageFormat.QCOW2, size, o)) {
      Images.writeFromRaw(raw, dev);
    }
    Random rnd = new Random(9);
    try (BlockDevice dev = Formats.open(FileStore.open(img, false), ImageFormat.QCOW2, false);
        java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(raw,
            java.nio.file.StandardOpenOption.WRITE)) {
      for (int i = 0; i < 200; i++) {
        long off = rnd.nextLong(size - 70000);
        int len = 1 + rnd.nextInt(70000);
        if (rnd.nextInt(3) == 0) {
          dev.writeZeroes(off, len, true);
          ch.write(ByteBuffer.allocate(len), off);
        } else {
          byte[] b = new byte[len];
          rnd.nextBytes(b);
          dev.write(off, ByteBuffer.wrap(b));
          ch.write(ByteBuffer.wrap(b), off);
        }
      }
    }
    assertValid(img, size);
    Qemu.assertSame(raw, "raw", img, "qcow2");
  }

  @Test
  void parallelWritersToDisjointRanges() throws Exception {
    long size = 16L << 20;
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), size, 11);
    Path img = dir.resolve("out.qcow2");
    try (BlockDevice dev = Formats.create(FileStore.create(img), ImageFormat.QCOW2, size,
            CreateOptions.DEFAULTS);
        java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(raw)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> fs = new ArrayList<>();
      int chunk = 12345;
      for (long off = 0; off < size; off += chunk) {
        long at = off;
        fs.add(pool.submit(() -> {
          ByteBuffer b = ByteBuffer.allocate((int) Math.min(chunk, size - at));
          in.read(b, at);
          b.flip();
          dev.write(at, b);
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      pool.shutdown();
    }
    assertValid(img, size);
    Qemu.assertSame(raw, "raw", img, "qcow2");
  }

  /**
   * Flushes while parallel writers allocate (the flush writes the tables outside the allocation
   * lock): a copy of the file taken right after each flush is a consistent image (qemu-img
   * check: no corruption; leaked clusters allowed, as after a crash), and the final image holds
   * every write.
   */
  @Test
  void flushesWhileWritersAllocate() throws Exception {
    long size = 32L << 20;
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), size, 13);
    Path img = dir.resolve("out.qcow2");
    List<Path> cuts = new ArrayList<>();
    try (BlockDevice dev = Formats.create(FileStore.create(img), ImageFormat.QCOW2, size,
            CreateOptions.DEFAULTS);
        java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(raw)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
      Future<?> flusher = Executors.newSingleThreadExecutor().submit(() -> {
        while (writing.get() || cuts.isEmpty()) {
          dev.flush();
          Path cut = dir.resolve("cut" + cuts.size() + ".qcow2");
          java.nio.file.Files.copy(img, cut);
          cuts.add(cut);
        }
        return null;
      });
      List<Future<?>> fs = new ArrayList<>();
      int chunk = 256 << 10;
      for (long off = 0; off < size; off += chunk) {
        long at = off;
        fs.add(pool.submit(() -> {
          ByteBuffer b = ByteBuffer.allocateDirect((int) Math.min(chunk, size - at));
          in.read(b, at);
          b.flip();
          dev.write(at, b);
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      writing.set(false);
      flusher.get();
      pool.shutdown();
    }
    assertThat(cuts).isNotEmpty();
    for (Path cut : cuts) {
      Qemu.Result r = Qemu.run("qemu-img", "check", "-f", "qcow2", cut.toString());
      assertThat(r.exit()).as(cut + ": " + r.out()).isIn(0, 3); // 3: leaked clusters only
    }
    assertValid(img, size);
    Qemu.assertSame(raw, "raw", img, "qcow2");
  }
}
