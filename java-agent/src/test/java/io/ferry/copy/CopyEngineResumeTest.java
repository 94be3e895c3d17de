package io.ferry.copy;

import static io.ferry.copy.Fixtures.KIB;
import static io.ferry.copy.Fixtures.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.device.Extent;
import io.ferry.device.MemoryDevice;
import io.ferry.device.RecordingDevice;
import io.ferry.device.WriteTap;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * A run stopped at some point (as by a crash: the process is gone, only the last checkpoint is
 * left) and a new engine resumed from the checkpoint. Writes made after the checkpoint through the
 * tap are known to nobody after the stop and must still end up on the destination.
 */
class CopyEngineResumeTest {

  private static final long SIZE = 16 * MIB;
  private static final long DATA = 12 * MIB;
  private static final long CHUNK = 256 * KIB;

  private final MemoryDevice src = Fixtures.memory("src", SIZE);
  private final WriteTap tap = new WriteTap(src);
  private final MemoryDevice dst = Fixtures.memory("dst", SIZE);

  CopyEngineResumeTest() throws Exception {
    Fixtures.fill(src, 0, 8 * MIB, 1);
    Fixtures.fill(src, 10 * MIB, 4 * MIB, 2);
  }

  /** Runs until {@code stopWhen} cancels, returns the last checkpoint emitted. */
  private CopyCheckpoint firstRun(Throttle throttle, boolean verify, BiConsumer<CopyEngine, RecordingListener> arm)
      throws Exception {
    RecordingListener listener = new RecordingListener();
    try (TapChangeFeed feed = new TapChangeFeed(tap)) {
      CopyPlan plan = new CopyPlan(feed, dst, throttle, CHUNK, 4, true, verify, 64 * KIB, 4);
      CopyEngine engine = new CopyEngine(plan, listener);
      arm.accept(engine, listener);
      assertThatThrownBy(() -> engine.run(null))
          .isInstanceOf(FerryException.class)
          .extracting(e -> ((FerryException) e).reason())
          .isEqualTo(Reason.CANCELLED);
    }
    assertThat(listener.checkpoints).isNotEmpty();
    return listener.last();
  }

  /** Resumes with a fresh feed on the same tap; returns the bytes the resumed run wrote. */
  private long resume(CopyCheckpoint checkpoint) throws Exception {
    RecordingDevice recording = new RecordingDevice(dst);
    CopyResult result;
    try (TapChangeFeed feed = new TapChangeFeed(tap)) {
      CopyPlan plan = new CopyPlan(feed, recording, Throttle.NONE, CHUNK, 4, true, false, 64 * KIB, 4);
      result = new CopyEngine(plan, new RecordingListener()).run(checkpoint);
    }
    assertThat(result.verified()).as("a resumed run always verifies").isTrue();
    Fixtures.assertSameContent(src, dst);
    assertThat(dst.extents(0, SIZE)).isEqualTo(src.extents(0, SIZE));
    return recording.bytes("write") + recording.bytes("trim") + recording.bytes("zero");
  }

  /** A write through the tap that no feed records: acknowledged after the last checkpoint. */
  private void lostWrite(long offset, int length, int value) throws Exception {
    byte[] b = new byte[length];
    java.util.Arrays.fill(b, (byte) value);
    tap.write(offset, ByteBuffer.wrap(b));
  }

  @Test
  void resumesMidSync() throws Exception {
    TokenBucket slow = new TokenBucket(6 * MIB);
    CopyCheckpoint cp =
        firstRun(slow, false, (engine, listener) -> listener.onCheckpoint = c -> {
          if (c.phase() == CopyPhase.SYNC && !c.syncedChunks().isEmpty()) {
            engine.cancel();
          }
        });
    assertThat(cp.phase()).isEqualTo(CopyPhase.SYNC);
    int synced = cp.syncedChunks().cardinality();
    assertThat(synced).isBetween(1, (int) (DATA / CHUNK) - 1);
    lostWrite(CHUNK / 2, 4096, 7); // in a chunk that was synced
    lostWrite(13 * MIB, 4096, 8); // in one that was not
    long written = resume(cp);
    assertThat(written).isLessThan(DATA - synced * CHUNK + 2 * CHUNK);
  }

  @Test
  void resumesMidMergeFromItsPendingRegions() throws Exception {
    CopyCheckpoint done = firstRun(Throttle.NONE, false, (engine, listener) -> listener.onPhase = p -> {
      if (p == CopyPhase.FINAL) {
        engine.cancel();
      }
    });
    // A merge checkpoint as the engine writes it: a region written during the sync, not merged yet.
    lostWrite(5 * MIB, 100 * 1024, 9);
    CopyCheckpoint merge =
        new CopyCheckpoint(CopyPhase.MERGE, 1, CHUNK, new BitSet(), List.of(new Extent(5 * MIB, 100 * KIB)),
            done.bytesCopied(), Map.of());
    RecordingDevice recording = new RecordingDevice(dst);
    CopyResult r;
    try (TapChangeFeed feed = new TapChangeFeed(tap)) {
      CopyPlan plan = new CopyPlan(feed, recording, Throttle.NONE, CHUNK, 4, true, false, 64 * KIB, 4);
      r = new CopyEngine(plan, new RecordingListener()).run(merge);
    }
    assertThat(r.bytesRepaired()).as("pending regions are merged, not found by verify").isZero();
    assertThat(recording.bytes("write")).isEqualTo(100 * KIB);
    Fixtures.assertSameContent(src, dst);
  }

  @Test
  void resumesInFinalPhase() throws Exception {
    CopyCheckpoint done = firstRun(Throttle.NONE, false, (engine, listener) -> listener.onPhase = p -> {
      if (p == CopyPhase.FINAL) {
        engine.cancel();
      }
    });
    lostWrite(MIB, 8192, 3);
    CopyCheckpoint fin =
        new CopyCheckpoint(CopyPhase.FINAL, 2, CHUNK, new BitSet(), List.of(new Extent(MIB, 8192)),
            done.bytesCopied(), Map.of());
    assertThat(resume(fin)).isEqualTo(8192);
  }

  @Test
  void resumesMidVerifyAndRepairsWhatWasLost() throws Exception {
    CopyCheckpoint cp = firstRun(Throttle.NONE, true, (engine, listener) -> listener.onPhase = p -> {
      if (p == CopyPhase.VERIFY) {
        engine.cancel();
      }
    });
    assertThat(cp.phase()).isEqualTo(CopyPhase.VERIFY);
    // a write the destination acknowledged but lost in the crash
    dst.write(3 * MIB + 5, ByteBuffer.wrap(new byte[] {42}));
    long written = resume(cp);
    assertThat(written).isEqualTo(CHUNK);
  }

  @Test
  void resumeOfAFinishedCopyWritesNothing() throws Exception {
    RecordingListener listener = new RecordingListener();
    try (TapChangeFeed feed = new TapChangeFeed(tap)) {
      new CopyEngine(new CopyPlan(feed, dst, Throttle.NONE, CHUNK, 4, true, false, 0, 4), listener).run(null);
    }
    assertThat(listener.last().phase()).isEqualTo(CopyPhase.DONE);
    assertThat(resume(listener.last())).isZero();
  }
}
