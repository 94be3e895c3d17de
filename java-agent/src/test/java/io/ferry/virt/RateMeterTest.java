package io.ferry.virt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateMeterTest {

  static final long S = 1_000_000_000L;
  static final long MIB = 1 << 20;

  @Test
  void copyRateFollowsCurAndDirtyRateFollowsEnd() {
    RateMeter m = new RateMeter(3000);
    m.add(0, 0, 100 * MIB, 0);
    m.add(S, 10 * MIB, 104 * MIB, 6 * MIB);
    m.add(2 * S, 20 * MIB, 108 * MIB, 12 * MIB);
    assertThat(m.copyRate()).isEqualTo(10 * MIB);
    assertThat(m.dirtyRate()).isEqualTo(4 * MIB);
    assertThat(m.guestWriteRate()).isEqualTo(6 * MIB);
    assertThat(m.etaSeconds(88 * MIB)).isEqualTo(14);
  }

  @Test
  void noEtaWhenTheGuestDirtiesFasterThanTheCopy() {
    RateMeter m = new RateMeter(3000);
    m.add(0, 0, 10 * MIB, 0);
    m.add(S, MIB, 13 * MIB, 0);
    assertThat(m.etaSeconds(12 * MIB)).isEqualTo(-1);
    assertThat(m.etaSeconds(0)).isZero();
  }

  @Test
  void forgetsSamplesOutsideTheWindowAndAfterARestart() {
    RateMeter m = new RateMeter(1000);
    m.add(0, 0, 10 * MIB, 0);
    m.add(S, 100 * MIB, 200 * MIB, 0);
    m.add(2 * S, 101 * MIB, 200 * MIB, 0);
    m.add(3 * S, 102 * MIB, 200 * MIB, 0);
    assertThat(m.copyRate()).isEqualTo(MIB);
    m.add(4 * S, 0, 50 * MIB, 0); // the copy restarted: cur fell
    assertThat(m.copyRate()).isZero();
  }
}
