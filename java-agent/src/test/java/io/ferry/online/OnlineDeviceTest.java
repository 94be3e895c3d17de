package io.ferry.online;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.copy.CopyEngine;
import io.ferry.copy.CopyListener;
import io.ferry.copy.CopyPlan;
import io.ferry.copy.CopyResult;
import io.ferry.copy.Throttle;
import io.ferry.device.BlockDevice;
import io.ferry.device.MemoryDevice;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two views of an online conversion on memory devices: the client's (convert on first touch,
 * writes kept) and the background pass's (never overwrites a done region), including their race.
 */
class OnlineDeviceTest {

  static final int REGION = 64 * 1024;
  static final long SIZE = 16L * REGION + 12345; // unaligned tail

  @TempDir Path dir;
  MemoryDevice src;
  MemoryDevice dst;
  RegionMap map;
  Converter core;
  OnlineDevice client;
  EngineView engine;

  @BeforeEach
  void setUp() throws Exception {
    src = new MemoryDevice("src", SIZE, 4096);
    dst = new MemoryDevice("dst", SIZE, 4096);
    byte[] data = random(SIZE, 1);
    data[(int) (3L * REGION)] = 0; // keep a hole region: region 5 all zero
    Arrays.fill(data, 5 * REGION, 6 * REGION, (byte) 0);
    for (int r = 0; r <= 16; r++) {
      if (r != 5) {
        long len = Math.min(REGION, SIZE - (long) r * REGION);
        src.write((long) r * REGION, ByteBuffer.wrap(data, r * REGION, (int) len));
      }
    }
    map = new RegionMap(SIZE, REGION);
    core = new Converter(src, dst, map, new RegionMapFile(dir.resolve("m.map")));
    client = new OnlineDevice(core, "online", () -> {});
    engine = new EngineView(core);
  }

  @Test
  void aReadOfARegionNotConvertedConvertsItFromTheSourceFirst() throws Exception {
    assertThat(read(dst, 2L * REGION + 100, 1000)).containsOnly((byte) 0);
    byte[] got = read(client, 2L * REGION + 100, 1000);
    assertThat(got).isEqualTo(read(src, 2L * REGION + 100, 1000));
    assertThat(map.isDone(2)).isTrue();
    assertThat(map.isWritten(2)).isFalse();
    assertThat(read(dst, 2L * REGION, REGION)).as("whole region converted")
        .isEqualTo(read(src, 2L * REGION, REGION));
    assertThat(map.isDone(1)).isFalse();
  }

  @Test
  void aPartialWriteConvertsTheRestOfItsRegionFirstAndIsKept() throws Exception {
    client.write(3L * REGION + 10, ByteBuffer.wrap(fill(100, (byte) 0x5a)));
    assertThat(map.isWritten(3)).isTrue();
    byte[] expected = read(src, 3L * REGION, REGION);
    Arrays.fill(expected, 10, 110, (byte) 0x5a);
    assertThat(read(dst, 3L * REGION, REGION)).isEqualTo(expected);
  }

  @Test
  void aWriteAcrossRegionsIsKeptInEachAndTheUnalignedTailWorks() throws Exception {
    long off = SIZE - REGION - 500;
    client.write(off, ByteBuffer.wrap(fill(REGION + 500, (byte) 7)));
    assertThat(read(client, off, REGION + 500)).containsOnly((byte) 7);
    assertThat(map.isWritten(map.regionOf(off))).isTrue();
    assertThat(map.isWritten(map.regionOf(SIZE - 1))).isTrue();
  }

  @Test
  void theBackgroundPassNeverOverwritesAClientWrite() throws Exception {
    client.write(4L * REGION, ByteBuffer.wrap(fill(REGION, (byte) 0x66)));
    copyRegion(engine, 4);
    client.writeZeroes(6L * REGION + 4096, 8192, true);
    copyRegion(engine, 6);
    engine.writeZeroes(6L * REGION, REGION, true);
    assertThat(read(dst, 4L * REGION, REGION)).containsOnly((byte) 0x66);
    assertThat(read(dst, 6L * REGION + 4096, 8192)).containsOnly((byte) 0);
    assertThat(read(dst, 6L * REGION, 4096)).isEqualTo(read(src, 6L * REGION, 4096));
  }

  @Test
  void aPartialBackgroundWriteConvertsTheWholeRegionAndLaterPartsAreSkipped() throws Exception {
    ByteBuffer half = ByteBuffer.wrap(read(src, 7L * REGION, REGION / 2));
    engine.write(7L * REGION, half);
    assertThat(map.isDone(7)).isTrue();
    assertThat(read(client, 7L * REGION, REGION)).isEqualTo(read(src, 7L * REGION, REGION));
    assertThat(read(dst, 7L * REGION, REGION)).isEqualTo(read(src, 7L * REGION, REGION));
  }

  @Test
  void theEngineReadsWhatClientsWroteAsTheSourceSoVerificationComparesTheRest() throws Exception {
    client.write(8L * REGION, ByteBuffer.wrap(fill(REGION, (byte) 0x33)));
    assertThat(read(engine, 8L * REGION, REGION)).isEqualTo(read(src, 8L * REGION, REGION));
    assertThat(read(client, 8L * REGION, REGION)).containsOnly((byte) 0x33);
  }

  @Test
  void extentsOfRegionsNotDoneAreTheSources() throws Exception {
    assertThat(client.extents(5L * REGION, REGION)).isEmpty(); // a hole in the source
    assertThat(client.extents(2L * REGION, REGION)).isNotEmpty(); // data in the source
    client.writeZeroes(2L * REGION, REGION, true);
    assertThat(client.extents(2L * REGION, REGION)).isEmpty(); // now the destination's
  }

  @Test
  void theSourceIsNeverWritten() throws Exception {
    byte[] before = read(src, 0, (int) SIZE);
    client.write(0, ByteBuffer.wrap(fill((int) SIZE, (byte) 1)));
    read(client, 0, (int) SIZE);
    engine.write(0, ByteBuffer.wrap(read(src, 0, (int) SIZE)));
    assertThat(read(src, 0, (int) SIZE)).isEqualTo(before);
  }

  /**
   * The race: a client writes random ranges (one writer, so the expected image is its writes
   * applied in order over the source) while background workers copy every region again and
   * again. Whatever the interleaving, the destination must end as source + client writes.
   */
  @Test
  void clientWritesRacingTheBackgroundPassAreNeverLost() throws Exception {
    for (int round = 0; round < 20; round++) {
      setUp();
      byte[] expected = read(src, 0, (int) SIZE);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread[] workers = new Thread[3];
      for (int w = 0; w < workers.length; w++) {
        int seed = w;
        workers[w] = new Thread(() -> {
          Random rnd = new Random(seed);
          try {
            while (!stop.get()) {
              long off = rnd.nextInt((int) SIZE - 1);
              int len = (int) Math.min(SIZE - off, 1 + rnd.nextInt(3 * REGION));
              engine.write(off, ByteBuffer.wrap(read(src, off, len)));
            }
          } catch (Throwable t) {
            failed.set(t);
          }
        });
        workers[w].start();
      }
      Random rnd = new Random(round);
      for (int i = 0; i < 200; i++) {
        long off = rnd.nextInt((int) SIZE - 1);
        int len = (int) Math.min(SIZE - off, 1 + rnd.nextInt(2 * REGION));
        byte v = (byte) (1 + rnd.nextInt(250));
        if (i % 7 == 0) {
          client.writeZeroes(off, len, true);
          Arrays.fill(expected, (int) off, (int) off + len, (byte) 0);
        } else {
          client.write(off, ByteBuffer.wrap(fill(len, v)));
          Arrays.fill(expected, (int) off, (int) off + len, v);
        }
      }
      stop.set(true);
      for (Thread t : workers) {
        t.join();
      }
      assertThat(failed.get()).isNull();
      for (int r = 0; r < map.count(); r++) { // what the background pass would still copy
        copyRegion(engine, r);
      }
      assertThat(read(dst, 0, (int) SIZE)).as("round " + round).isEqualTo(expected);
    }
  }

  /** The copy engine itself as the background pass, with a client writing meanwhile. */
  @Test
  void aCopyEngineRunThroughTheEngineViewKeepsClientWritesAndVerifies() throws Exception {
    byte[] expected = read(src, 0, (int) SIZE);
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; i < 50; i++) {
          long off = (long) (i * 7919 % 16) * REGION + i;
          client.write(off, ByteBuffer.wrap(fill(3000, (byte) (i + 1))));
          synchronized (expected) {
            Arrays.fill(expected, (int) off, (int) off + 3000, (byte) (i + 1));
          }
        }
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    writer.start();
    HeldSourceFeed feed = new HeldSourceFeed(src);
    CopyPlan plan = new CopyPlan(feed, engine, Throttle.NONE, 64 * 1024, 4, true, true, 64 * 1024,
        2);
    CopyResult result = new CopyEngine(plan, new CopyListener() {
      @Override
      public void phase(io.ferry.copy.CopyPhase phase) {}

      @Override
      public void progress(io.ferry.copy.CopyProgress progress) {}

      @Override
      public void checkpoint(io.ferry.copy.CopyCheckpoint checkpoint) {}
    }).run(null);
    writer.join();
    map.completeAll();
    assertThat(result.verified()).isTrue();
    assertThat(read(client, 0, (int) SIZE)).isEqualTo(expected);
  }

  private void copyRegion(BlockDevice view, int r) throws Exception {
    long start = map.start(r);
    int len = (int) (map.end(r) - start);
    view.write(start, ByteBuffer.wrap(read(src, start, len)));
  }

  static byte[] read(BlockDevice d, long off, int len) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(len);
    d.read(off, b);
    return b.array();
  }

  static byte[] fill(int n, byte v) {
    byte[] a = new byte[n];
    Arrays.fill(a, v);
    return a;
  }

  static byte[] random(long n, long seed) {
    byte[] a = new byte[(int) n];
    new Random(seed).nextBytes(a);
    return a;
  }
}
