package io.ferry.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shares of the host budget between copy jobs (one shared limiter) and live mirrors. */
class HostBandwidthTest {

  static final long MIB = 1 << 20;

  /** The copies' limiter: remembers its rate. */
  static final class Limiter implements EngineParts.RateLimiter {
    volatile long rate = -1;

    @Override
    public void setRate(long bytesPerSec) {
      rate = bytesPerSec;
    }

    @Override
    public void acquire(long bytes) {}
  }

  Limiter copies = new Limiter();
  List<Long> applied = new ArrayList<>();

  @Test
  void aMirrorStartedWhileAnUncappedCopyRunsGetsWhatTheCopyLeaves() {
    HostBandwidth b = new HostBandwidth(100 * MIB, copies);
    b.copyStarted("c1", 0);
    assertThat(copies.rate).isEqualTo(100 * MIB);

    HostBandwidth.Lease m = b.mirror("m1", 0, applied::add);

    assertThat(m.granted()).isEqualTo(50 * MIB);
    assertThat(copies.rate).isEqualTo(50 * MIB);
    assertThat(b.mirrorShares()).isEqualTo(50 * MIB);
    assertThat(applied).as("the first share is returned, not called back").isEmpty();
  }

  @Test
  void aCappedCopyLeavesTheRestAndAMirrorNeverGetsMoreThanItAsks() {
    HostBandwidth b = new HostBandwidth(100 * MIB, copies);
    b.copyStarted("c1", 30 * MIB);
    assertThat(b.mirror("m1", 0, applied::add).granted()).isEqualTo(70 * MIB);
    assertThat(copies.rate).isEqualTo(30 * MIB);
    assertThat(b.mirror("m2", 10 * MIB, applied::add).granted()).isEqualTo(10 * MIB);
    assertThat(applied).as("m1 gave 10 to m2").containsExactly(60 * MIB);
    assertThat(copies.rate).isEqualTo(30 * MIB);
  }

  @Test
  void changesReachTheMirrorAndItsShareIsReleasedWhenItEnds() {
    HostBandwidth b = new HostBandwidth(90 * MIB, copies);
    HostBandwidth.Lease m = b.mirror("m1", 0, applied::add);
    assertThat(m.granted()).isEqualTo(90 * MIB);
    b.copyStarted("c1", 0);
    b.copyStarted("c2", 0);
    assertThat(applied).containsExactly(45 * MIB, 30 * MIB);
    assertThat(copies.rate).isEqualTo(60 * MIB);
    b.copyAsks("c1", 6 * MIB); // c1's own cap: the others split the rest
    assertThat(applied).endsWith(42 * MIB);
    b.copyEnded("c2");
    b.copyEnded("c1");
    assertThat(applied).endsWith(90 * MIB);
    b.setTotal(40 * MIB);
    assertThat(applied).endsWith(40 * MIB);
    assertThat(m.want(8 * MIB)).isEqualTo(8 * MIB);
    b.copyStarted("c3", 0);
    assertThat(copies.rate).isEqualTo(32 * MIB);

    m.close();

    assertThat(copies.rate).as("released on finish").isEqualTo(40 * MIB);
    assertThat(b.mirrorShares()).isZero();
    int calls = applied.size();
    b.copyEnded("c3");
    assertThat(applied).as("a closed lease hears nothing").hasSize(calls);
  }

  @Test
  void anUnlimitedBudgetGivesMirrorsWhatTheyAsk() {
    HostBandwidth b = new HostBandwidth(0, copies);
    b.copyStarted("c1", 0);
    assertThat(b.mirror("m1", 5 * MIB, applied::add).granted()).isEqualTo(5 * MIB);
    assertThat(b.mirror("m2", 0, applied::add).granted()).isZero();
    assertThat(copies.rate).isZero();
    assertThat(b.mirrorShares()).isZero();
  }
}
