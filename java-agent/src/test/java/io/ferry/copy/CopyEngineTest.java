package io.ferry.copy;

import static io.ferry.copy.Fixtures.KIB;
import static io.ferry.copy.Fixtures.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.Extent;
import io.ferry.device.MemoryDevice;
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
      CopyResult result = new CopyEngine(Fixtures.plan(feed, dst, true), new RecordingListener()).run(null);
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
      new CopyEngine(Fixtures.plan(feed, dst, true), new RecordingListener()).run(null);
    }
    assertThat(dst.extents(0, dst.size())).containsExactly(new Extent(2 * MIB, 64 * KIB));
  }
}
