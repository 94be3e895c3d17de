package io.ferry.copy;

import static io.ferry.copy.Fixtures.KIB;
import static io.ferry.copy.Fixtures.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.device.BlockDevice;
import io.ferry.device.FaultyDevice;
import io.ferry.device.ForwardingDevice;
import io.ferry.device.MemoryDevice;
import io.ferry.device.ReadOnlyDevice;
import io.ferry.device.RecordingDevice;
import io.ferry.device.WriteTap;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Failures, cancellation and verification: the source is never written, errors surface. */
class CopyEngineFaultTest {

  private final MemoryDevice memory = Fixtures.memory("src", 8 * MIB);
  /** Every call the engine makes on the source side goes through here. */
  private final RecordingDevice sourceCalls = new RecordingDevice(memory);

  CopyEngineFaultTest() throws Exception {
    Fixtures.fill(memory, 0, 6 * MIB, 1);
  }

  private CopyResult copy(BlockDevice source, BlockDevice dest, Throttle throttle, boolean verify,
      RecordingListener listener, AtomicReference<CopyEngine> engineOut) throws Exception {
    try (TapChangeFeed feed = new TapChangeFeed(new WriteTap(source))) {
      CopyPlan plan = new CopyPlan(feed, dest, throttle, 256 * KIB, 4, true, verify, 0, 2);
      CopyEngine engine = new CopyEngine(plan, listener);
      if (engineOut != null) {
        engineOut.set(engine);
      }
      return engine.run(null);
    }
  }

  private CopyResult copy(BlockDevice source, BlockDevice dest) throws Exception {
    return copy(source, dest, Throttle.NONE, true, new RecordingListener(), null);
  }

  @Test
  void destinationWriteErrorPropagatesAndSourceIsUntouched() {
    BlockDevice dest = new FaultyDevice(Fixtures.memory("dst", 8 * MIB)).failWrite(5);
    assertThatThrownBy(() -> copy(sourceCalls, dest))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("injected write failure");
    assertThat(sourceCalls.ops()).isEmpty();
  }

  @Test
  void sourceReadErrorPropagates() {
    BlockDevice source = new FaultyDevice(sourceCalls).failAt(3 * MIB + 1);
    assertThatThrownBy(() -> copy(source, Fixtures.memory("dst", 8 * MIB)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("injected read failure at " + 3 * MIB);
    assertThat(sourceCalls.ops()).isEmpty();
  }

  @Test
  void flushErrorPropagates() {
    BlockDevice dest = new FaultyDevice(Fixtures.memory("dst", 8 * MIB)).failFlush();
    assertThatThrownBy(() -> copy(sourceCalls, dest)).hasMessageContaining("injected flush failure");
  }

  @Test
  void refusesASmallerOrReadOnlyDestination() {
    assertThatThrownBy(() -> copy(sourceCalls, Fixtures.memory("dst", 8 * MIB - 1)))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("create or grow it")
        .extracting(e -> ((FerryException) e).reason())
        .isEqualTo(Reason.FAILED_PRECONDITION);
    assertThatThrownBy(() -> copy(sourceCalls, new ReadOnlyDevice(Fixtures.memory("dst", 8 * MIB))))
        .extracting(e -> ((FerryException) e).reason())
        .isEqualTo(Reason.FAILED_PRECONDITION);
  }

  @Test
  void refusesBadKnobsNamingTheField() {
    TapChangeFeed feed = new TapChangeFeed(new WriteTap(memory));
    CopyPlan plan = new CopyPlan(feed, memory, Throttle.NONE, 1000, 4, true, true, 0, 2);
    assertThatThrownBy(() -> new CopyEngine(plan, new RecordingListener()))
        .isInstanceOf(FerryException.class)
        .hasMessageStartingWith("chunk_size");
  }

  @Test
  void cancelStopsQuickly() throws Exception {
    AtomicReference<CopyEngine> engine = new AtomicReference<>();
    RecordingListener listener = new RecordingListener();
    listener.onPhase = p -> new Thread(() -> {
      sleep(300);
      engine.get().cancel();
    }).start();
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> copy(sourceCalls, Fixtures.memory("dst", 8 * MIB), new TokenBucket(MIB), true,
            listener, engine))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("cancelled")
        .extracting(e -> ((FerryException) e).reason())
        .isEqualTo(Reason.CANCELLED);
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(2.5); // the whole copy would take 6 s
    assertThat(sourceCalls.ops()).isEmpty();
    assertThat(listener.phases).doesNotContain(CopyPhase.DONE);
  }

  @Test
  void interruptOfTheRunningThreadStopsTheRun() throws Exception {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread runner = new Thread(() -> {
      try {
        copy(sourceCalls, Fixtures.memory("dst", 8 * MIB), new TokenBucket(MIB), false, new RecordingListener(), null);
      } catch (Throwable t) {
        thrown.set(t);
      }
    });
    runner.start();
    sleep(300);
    runner.interrupt();
    runner.join(3000);
    assertThat(runner.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
  }

  @Test
  void verifyFindsAndRepairsACorruptByteAndDataInAHole() throws Exception {
    MemoryDevice dst = Fixtures.memory("dst", 8 * MIB);
    RecordingListener listener = new RecordingListener();
    listener.onPhase = p -> {
      if (p == CopyPhase.VERIFY) {
        try {
          dst.write(MIB + 77, ByteBuffer.wrap(new byte[] {(byte) 0xEE})); // flipped data
          dst.write(7 * MIB, ByteBuffer.wrap(new byte[] {1})); // data where the source has a hole
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      }
    };
    CopyResult r = copy(sourceCalls, dst, Throttle.NONE, true, listener, null);
    assertThat(r.verified()).isTrue();
    assertThat(r.bytesRepaired()).isEqualTo(2 * 256 * KIB);
    Fixtures.assertSameContent(memory, dst);
    assertThat(dst.extents(0, dst.size())).isEqualTo(memory.extents(0, memory.size()));
    assertThat(listener.events).anyMatch(e -> e.contains("2 chunk(s) differ"));
    assertThat(sourceCalls.ops()).isEmpty();
  }

  @Test
  void verificationReadsTheSourceOnlyOnceButTheDestinationAgain() throws Exception {
    java.util.concurrent.atomic.AtomicLong sourceRead = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong destRead = new java.util.concurrent.atomic.AtomicLong();
    BlockDevice countingSource = new ForwardingDevice(memory) {
      @Override
      public void read(long offset, ByteBuffer dst) throws IOException {
        sourceRead.addAndGet(dst.remaining());
        super.read(offset, dst);
      }
    };
    BlockDevice countingDest = new ForwardingDevice(Fixtures.memory("dst", 8 * MIB)) {
      @Override
      public void read(long offset, ByteBuffer dst) throws IOException {
        destRead.addAndGet(dst.remaining());
        super.read(offset, dst);
      }
    };
    CopyResult r = copy(countingSource, countingDest);
    assertThat(r.verified()).isTrue();
    assertThat(sourceRead.get()).isEqualTo(6 * MIB); // the sync's reads; verify used its digests
    assertThat(destRead.get()).isEqualTo(6 * MIB);
    Fixtures.assertSameContent(memory, countingDest);
  }

  @Test
  void aDestinationThatLosesWritesIsDataLoss() {
    BlockDevice liar = new ForwardingDevice(Fixtures.memory("dst", 8 * MIB)) {
      @Override
      public void write(long offset, ByteBuffer src) throws IOException {
        if (offset <= 2 * MIB && 2 * MIB < offset + src.remaining()) {
          src.position(src.limit()); // acknowledged, never stored
          return;
        }
        super.write(offset, src);
      }
    };
    assertThatThrownBy(() -> copy(sourceCalls, liar))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("still differs")
        .hasMessageContaining("first at byte " + 2 * MIB)
        .extracting(e -> ((FerryException) e).reason())
        .isEqualTo(Reason.DATA_LOSS);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
