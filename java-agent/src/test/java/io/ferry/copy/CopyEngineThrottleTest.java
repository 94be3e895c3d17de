package io.ferry.copy;

import static io.ferry.copy.Fixtures.KIB;
import static io.ferry.copy.Fixtures.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.MemoryDevice;
import io.ferry.device.WriteTap;
import org.junit.jupiter.api.Test;

class CopyEngineThrottleTest {

  private static CopyResult copy(long dataBytes, TokenBucket bucket, RecordingListener listener)
      throws Exception {
    MemoryDevice src = Fixtures.memory("src", 32 * MIB);
    Fixtures.fill(src, 0, dataBytes, 1);
    MemoryDevice dst = Fixtures.memory("dst", 32 * MIB);
    try (TapChangeFeed feed = new TapChangeFeed(new WriteTap(src))) {
      CopyPlan plan = new CopyPlan(feed, dst, bucket, 256 * KIB, 4, true, false, 0, 2);
      return new CopyEngine(plan, listener).run(null);
    }
  }

  @Test
  void twentyMibAtFortyMibPerSecondTakesAboutHalfASecond() throws Exception {
    CopyResult r = copy(20 * MIB, new TokenBucket(40 * MIB), new RecordingListener());
    assertThat(r.elapsedNanos() / 1e9).isBetween(0.4, 1.5);
    assertThat(r.bytesCopied()).isEqualTo(20 * MIB);
  }

  @Test
  void raisingTheCapMidCopyTakesEffect() throws Exception {
    TokenBucket bucket = new TokenBucket(4 * MIB); // 24 MiB would take 6 s
    RecordingListener listener = new RecordingListener();
    listener.onPhase = p -> {
      if (p == CopyPhase.SYNC) {
        new Thread(() -> {
          try {
            Thread.sleep(1200);
          } catch (InterruptedException e) {
            return;
          }
          bucket.setRate(0);
        }).start();
      }
    };
    CopyResult r = copy(24 * MIB, bucket, listener);
    assertThat(r.elapsedNanos() / 1e9).isBetween(1.1, 3.5);
    // progress came at least every second while the cap held, with a sensible rate
    assertThat(listener.progress).hasSizeGreaterThanOrEqualTo(2);
    CopyProgress early = listener.progress.get(1);
    assertThat(early.phase()).isEqualTo(CopyPhase.SYNC);
    assertThat(early.rateBytesPerSec()).isBetween(2 * MIB, 8 * MIB);
    assertThat(early.bytesTotal()).isEqualTo(24 * MIB);
    assertThat(early.bytesDone()).isBetween(2 * MIB, 12 * MIB);
    for (int i = 1; i < listener.progress.size(); i++) {
      assertThat(listener.progress.get(i).bytesCopied())
          .isGreaterThanOrEqualTo(listener.progress.get(i - 1).bytesCopied());
    }
  }
}
