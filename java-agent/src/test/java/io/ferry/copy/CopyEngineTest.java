package io.ferry.copy;

import static io.ferry.copy.Fixtures.KIB;
import static io.ferry.copy.Fixtures.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.Extent;
import io.ferry.device.MemoryDevice;
import io.ferry.device.RecordingDevice;
import io.ferry.device.RecordingDevice.Op;
import io.ferry.device.WriteTap;
import org.junit.jupiter.api.Test;

class CopyEngineTest {

  @Test
  void copiesSparseMemoryDeviceAndKeepsHoles() throws Exception {
    MemoryDevice src = Fixtures.memory("src", 64 * MIB + 12345);
    Fixtures.fill(src, 0, 3 * MIB, 1);
    Fixtures.fill(src, 40 * MIB + 100, 5 * MIB, 2);
    Fixtures.fill(src, 64 * MIB, 12345, 3);
    MemoryDevice dst = Fixtures.memory("dst", src.size());
    RecordingListener listener = new RecordingListener();
    try (TapChangeFeed feed = new TapChangeFeed(new WriteTap(src))) {
      CopyResult result = new CopyEngine(Fixtures.plan(feed, dst, true), listener).run(null);
      assertThat(result.verified()).isTrue();
      assertThat(result.bytesRepaired()).isZero();
      assertThat(result.sourceSize()).isEqualTo(src.size());
      assertThat(result.bytesCopied()).isEqualTo(Chunks.total(src.extents(0, src.size())));
      assertThat(result.holeBytes()).isEqualTo(src.size() - result.bytesCopied());
    }
    Fixtures.assertSameContent(src, dst);
    assertThat(dst.extents(0, dst.size())).isEqualTo(src.extents(0, src.size()));
    assertThat(listener.phases)
        .containsExactly(CopyPhase.SYNC, CopyPhase.FINAL, CopyPhase.VERIFY, CopyPhase.DONE);
    assertThat(listener.last().phase()).isEqualTo(CopyPhase.DONE);
  }

  @Test
  void emptyDeviceCopies() throws Exception {
    MemoryDevice src = Fixtures.memory("src", 0);
    MemoryDevice dst = Fixtures.memory("dst", 0);
    try (TapChangeFeed feed = new TapChangeFeed(new WriteTap(src))) {
      CopyResult result =
          new CopyEngine(Fixtures.plan(feed, dst, true), new RecordingListener()).run(null);
      assertThat(result.sourceSize()).isZero();
      assertThat(result.verified()).isTrue();
    }
  }

  @Test
  void zeroDataBecomesHoles() throws Exception {
    MemoryDevice src = Fixtures.memory("src", 4 * MIB);
    src.writeZeroes(0, MIB, false); // allocated, but zeros
    Fixtures.fill(src, 2 * MIB, 64 * KIB, 5);
    MemoryDevice dst = Fixtures.memory("dst", src.size());
    try (TapChangeFeed feed = new TapChangeFeed(new WriteTap(src))) {
      CopyResult r = new CopyEngine(Fixtures.plan(feed, dst, true), new RecordingListener()).run(null);
      assertThat(r.holeBytes()).isEqualTo(4 * MIB - 64 * KIB);
    }
    assertThat(dst.extents(0, dst.size())).containsExactly(new Extent(2 * MIB, 64 * KIB));
  }

  /** The exact calls made on the destination for a small crafted sparse source (cf. nbdcopy). */
  @Test
  void makesExactlyTheExpectedWritesAndZeroings() throws Exception {
    long size = MIB + 1000; // unaligned tail
    MemoryDevice src = Fixtures.memory("src", size);
    Fixtures.fill(src, 0, 8 * KIB, 1);
    src.writeZeroes(8 * KIB, 4 * KIB, false); // allocated zeros inside data
    Fixtures.fill(src, 12 * KIB, 4 * KIB, 2);
    Fixtures.fill(src, 512 * KIB, 4 * KIB, 3); // starts chunk 2 (256 KiB chunks)
    Fixtures.fill(src, MIB, 1000, 4); // the unaligned last block
    MemoryDevice stale = Fixtures.memory("dst", size);
    Fixtures.fill(stale, 100 * KIB, 8 * KIB, 9); // old data where the source has a hole
    RecordingDevice dst = new RecordingDevice(stale);
    try (TapChangeFeed feed = new TapChangeFeed(new WriteTap(src))) {
      new CopyEngine(Fixtures.plan(feed, dst, true), new RecordingListener()).run(null);
    }
    assertThat(dst.opsByOffset())
        .containsExactly(
            new Op("write", 0, 8 * KIB),
            new Op("trim", 8 * KIB, 4 * KIB),
            new Op("write", 12 * KIB, 4 * KIB),
            new Op("trim", 100 * KIB, 8 * KIB),
            new Op("write", 512 * KIB, 4 * KIB),
            new Op("write", MIB, 1000));
    assertThat(dst.flushes()).isGreaterThanOrEqualTo(2);
    Fixtures.assertSameContent(src, stale);
  }

  @Test
  void withoutKeepSparseZerosAreWrittenAsData() throws Exception {
    MemoryDevice src = Fixtures.memory("src", MIB);
    src.writeZeroes(0, 64 * KIB, false);
    RecordingDevice dst = new RecordingDevice(Fixtures.memory("dst", MIB));
    try (TapChangeFeed feed = new TapChangeFeed(new WriteTap(src))) {
      CopyPlan p = new CopyPlan(feed, dst, Throttle.NONE, 256 * KIB, 2, false, false, 0, 2);
      new CopyEngine(p, new RecordingListener()).run(null);
    }
    assertThat(dst.opsByOffset())
        .containsExactly(new Op("write", 0, 64 * KIB), new Op("zero", 64 * KIB, MIB - 64 * KIB));
  }

  @Test
  void requestsFollowTheDevicesPreferredSize() throws Exception {
    MemoryDevice src = Fixtures.memory("src", MIB);
    Fixtures.fill(src, 0, 256 * KIB, 1);
    RecordingDevice dst = new RecordingDevice(smallRequests(Fixtures.memory("dst", MIB)));
    try (TapChangeFeed feed = new TapChangeFeed(new WriteTap(smallRequests(src)))) {
      new CopyEngine(Fixtures.plan(feed, dst, true), new RecordingListener()).run(null);
    }
    assertThat(dst.opsByOffset())
        .containsExactly(
            new Op("write", 0, 64 * KIB),
            new Op("write", 64 * KIB, 64 * KIB),
            new Op("write", 128 * KIB, 64 * KIB),
            new Op("write", 192 * KIB, 64 * KIB));
  }

  private static io.ferry.device.BlockDevice smallRequests(io.ferry.device.BlockDevice d) {
    return new io.ferry.device.ForwardingDevice(d) {
      @Override
      public int preferredRequestSize() {
        return (int) (64 * KIB);
      }
    };
  }
}
