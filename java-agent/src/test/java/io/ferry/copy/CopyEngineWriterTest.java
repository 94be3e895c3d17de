package io.ferry.copy;

import static io.ferry.copy.Fixtures.KIB;
import static io.ferry.copy.Fixtures.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.MemoryDevice;
import io.ferry.device.WriteTap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A guest keeps writing through the tap while the copy runs. */
class CopyEngineWriterTest {

  @Test
  void everyWriteMadeDuringTheCopyIsOnTheDestination() throws Exception {
    long size = 24 * MIB;
    MemoryDevice src = Fixtures.memory("src", size);
    Fixtures.fill(src, 0, 8 * MIB, 1);
    Fixtures.fill(src, 12 * MIB, 6 * MIB, 2);
    MemoryDevice dst = Fixtures.memory("dst", size);
    WriteTap tap = new WriteTap(src);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger writes = new AtomicInteger();
    Thread guest = new Thread(() -> guest(tap, size, stop, writes), "guest");
    RecordingListener listener = new RecordingListener();
    TokenBucket bucket = new TokenBucket(12 * MIB);
    CopyResult result;
    try (TapChangeFeed feed = new TapChangeFeed(tap)) {
      CopyPlan plan = new CopyPlan(feed, dst, bucket, 256 * KIB, 4, true, true, 256 * KIB, 6);
      CopyEngine engine = new CopyEngine(plan, listener);
      listener.onPhase = p -> {
        if (p == CopyPhase.MERGE) {
          bucket.setRate(0); // let the merge passes catch up
        }
      };
      guest.start();
      result = engine.run(null);
      // the tap is still held: the source cannot change until the feed is closed
      assertThat(tap.isHeld()).isTrue();
      Fixtures.assertSameContent(src, dst);
      stop.set(true);
    }
    guest.join(5000);
    assertThat(writes.get()).isGreaterThan(20);
    assertThat(listener.phases).contains(CopyPhase.MERGE, CopyPhase.FINAL);
    assertThat(result.regionsMerged()).isGreaterThan(0);
    assertThat(result.verified()).isTrue();
    assertThat(result.bytesRepaired()).isZero();
    assertThat(result.passes()).isGreaterThanOrEqualTo(2);
  }

  private static void guest(WriteTap tap, long size, AtomicBoolean stop, AtomicInteger writes) {
    Random r = new Random(42);
    byte[] data = new byte[64 * 1024];
    try {
      while (!stop.get()) {
        int n = 512 * (1 + r.nextInt(128));
        long off = (long) r.nextInt((int) ((size - n) / 512)) * 512;
        if (r.nextInt(10) == 0) {
          tap.writeZeroes(off, n, r.nextBoolean()); // a discard
        } else {
          r.nextBytes(data);
          tap.write(off, ByteBuffer.wrap(data, 0, n));
        }
        writes.incrementAndGet();
        Thread.sleep(2);
      }
    } catch (IOException | InterruptedException e) {
      throw new RuntimeException(e);
    }
  }
}
