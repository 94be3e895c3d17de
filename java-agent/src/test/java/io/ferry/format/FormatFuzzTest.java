package io.ferry.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import io.ferry.error.FerryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of every parser: valid images made by qemu-img, with header and table
 * bytes flipped, fields set to edge values, or the file cut or grown, are opened and read by
 * Ferry. Every outcome must be data or a FerryException/IOException, within a per-case timeout.
 *
 * <p>CI runs {@code ferry.fuzz.iterations} cases (default 1500, about 20 s). For a longer run:
 * {@code mvn -pl java-agent -am test -Dtest=FormatFuzzTest -Dferry.fuzz.iterations=200000
 * -Dferry.fuzz.seed=7 -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class FormatFuzzTest {

  static final long READ_BUDGET = 2 << 20;
  static final List<byte[]> CORPUS = new ArrayList<>();
  static final List<String> NAMES = new ArrayList<>();
  static ExecutorService worker;

  @BeforeAll
  static void corpus(@TempDir Path dir) throws Exception {
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), (1 << 20) + 512, 1);
    String[][] variants = {
        {"qcow2", "compat=0.10"}, {"qcow2", "cluster_size=4096"}, {"qcow2", "extended_l2=on"},
        {"qcow2", "compression_type=zlib", "-c"}, {"qcow2", "compression_type=zstd", "-c"},
        {"vmdk", "subformat=monolithicSparse"}, {"vmdk", "subformat=streamOptimized"},
        {"vpc", "subformat=dynamic"}, {"vpc", "subformat=fixed"}, {"vhdx", "subformat=dynamic"}};
    for (String[] v : variants) {
      Path img = dir.resolve("img." + CORPUS.size());
      List<String> cmd = new ArrayList<>(List.of("qemu-img", "convert", "-f", "raw", "-O", v[0],
          "-o", v[1]));
      if (v.length > 2) {
        cmd.add(v[2]);
      }
      cmd.add(raw.toString());
      cmd.add(img.toString());
      Qemu.ok(cmd.toArray(String[]::new));
      CORPUS.add(Files.readAllBytes(img));
      NAMES.add(v[0] + " " + v[1]);
    }
    worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-case");
      t.setDaemon(true);
      return t;
    });
  }

  @AfterAll
  static void stop() {
    worker.shutdownNow();
  }

  @Test
  void mutatedImagesFailCleanly() throws Exception {
    int iterations = Integer.getInteger("ferry.fuzz.iterations", 1500);
    long seed = Long.getLong("ferry.fuzz.seed", 20261122L);
    int[] outcomes = new int[3];
    for (int i = 0; i < iterations; i++) {
      long caseSeed = seed * 1_000_003L + i;
      int which = (int) Math.floorMod(caseSeed, (long) CORPUS.size());
      byte[] image = Mutator.mutate(CORPUS.get(which), new Random(caseSeed));
      Future<Integer> f = worker.submit(() -> runCase(image));
      try {
        outcomes[f.get(10, TimeUnit.SECONDS)]++;
      } catch (TimeoutException e) {
        f.cancel(true);
        throw new AssertionError("case " + i + " (seed " + caseSeed + ", " + NAMES.get(which)
            + ") hung");
      } catch (java.util.concurrent.ExecutionException e) {
        throw new AssertionError("case " + i + " (seed " + caseSeed + ", " + NAMES.get(which)
            + ") threw " + e.getCause(), e.getCause());
      }
    }
    System.out.printf("fuzz: %d cases, %d read fully, %d refused (FerryException), %d I/O errors%n",
        iterations, outcomes[0], outcomes[1], outcomes[2]);
    assertThat(outcomes[1]).isPositive();
  }

  /** 0: read through, 1: FerryException, 2: IOException. */
  static int runCase(byte[] image) {
    try (BlockDevice dev = Formats.open(new MemStore(image), null, true)) {
      long size = dev.size();
      long budget = READ_BUDGET;
      for (Extent e : dev.extents(0, size)) {
        long n = Math.min(e.length(), budget);
        if (n <= 0) {
          break;
        }
        dev.read(e.offset(), ByteBuffer.allocate((int) n));
        budget -= n;
      }
      if (size > 0) {
        dev.read(size - Math.min(size, 4096), ByteBuffer.allocate((int) Math.min(size, 4096)));
      }
      return 0;
    } catch (FerryException e) {
      assertThat(e.getMessage()).isNotBlank();
      return 1;
    } catch (IOException e) {
      return 2;
    }
  }
}
