package io.ferry.virt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConvergenceGateTest {

  static final long MIB = 1 << 20;
  static final long SEC = 1_000_000_000L;
  static final Duration BUDGET = Duration.ofSeconds(20);

  @Test
  void aSlowFirstPassPastTheBudgetDoesNotEscalate() {
    // the e2e case: 1 GiB copied at 27 MiB/s, the guest dirties 2 MiB/s, 20 s per step
    ConvergenceGate gate = new ConvergenceGate(BUDGET, 0);
    ConvergenceGate.Decision last = null;
    for (long t = 0; t <= 35; t++) {
      long cur = t * 27 * MIB;
      long remaining = 1024 * MIB - cur + t * 2 * MIB;
      last = gate.check(t * SEC, cur, remaining, 27 * MIB, 2 * MIB);
      if (t <= 20) {
        assertThat(last).as("budget not spent at %d s", t).isNull();
      } else {
        assertThat(last.escalate()).as("escalated at %d s: %s", t, last.why()).isFalse();
      }
    }
    assertThat(last.why()).contains("remaining shrinks").contains("copy 27.0 MiB/s")
        .contains("guest dirties 2.0 MiB/s");
  }

  @Test
  void escalatesWhenTheGuestDirtiesAtLeastAsFastAsTheCopy() {
    ConvergenceGate gate = new ConvergenceGate(BUDGET, 0);
    ConvergenceGate.Decision d = null;
    for (long t = 0; t <= 21; t++) {
      // remaining still shrinks (e.g. holes skipped), but the rates say it cannot converge
      d = gate.check(t * SEC, t * MIB, 100 * MIB - t * MIB, MIB, MIB + MIB / 2);
    }
    assertThat(d.escalate()).isTrue();
    assertThat(d.why()).contains("at least as fast").contains("copy 1.0 MiB/s")
        .contains("guest dirties 1.5 MiB/s");
  }

  @Test
  void escalatesWhenRemainingShrinksTooSlowlyToEverGetThere() {
    // the guest dirties at 95 % of the copy: 100 MiB shrink by 0.05 MiB/s, ~2000 s to go
    ConvergenceGate gate = new ConvergenceGate(BUDGET, 0);
    ConvergenceGate.Decision d = null;
    for (long t = 0; t <= 21; t++) {
      d = gate.check(t * SEC, t * MIB, 100 * MIB - t * MIB / 20, MIB, MIB * 95 / 100);
    }
    assertThat(d.escalate()).as(d.why()).isTrue();
    assertThat(d.why()).contains("shrinks too slowly").contains("more than 10 step budgets");
  }

  @Test
  void escalatesWhenRemainingStagnatesOverAWindow() {
    ConvergenceGate gate = new ConvergenceGate(BUDGET, 0);
    ConvergenceGate.Decision d = null;
    for (long t = 0; t <= 21; t++) {
      // copy slightly faster than measured dirtying, yet nothing is gained (rewrites of hot blocks)
      d = gate.check(t * SEC, t * MIB, 40 * MIB + (t % 2) * MIB, MIB, MIB / 2);
    }
    assertThat(d.escalate()).isTrue();
    assertThat(d.why()).contains("did not shrink in 20.0 s").contains("copy 1.0 MiB/s");
  }

  @Test
  void aStalledCopyWithAnIdleGuestEscalatesOnStagnation() {
    ConvergenceGate gate = new ConvergenceGate(Duration.ofMillis(300), 0);
    assertThat(gate.check(0, 10, 990, 0, 0)).isNull();
    assertThat(gate.check(301_000_000L, 10, 990, 0, 0).escalate()).isTrue();
  }

  @Test
  void afterARestartTheBudgetAndTheWindowStartAgain() {
    ConvergenceGate gate = new ConvergenceGate(BUDGET, 0);
    for (long t = 0; t <= 21; t++) {
      gate.check(t * SEC, 0, 50 * MIB, 0, 0);
    }
    gate.restart(21 * SEC);
    // the restarted copy starts over: remaining is back to the whole disk and shrinks
    assertThat(gate.check(22 * SEC, 0, 64 * MIB, 4 * MIB, 0)).isNull();
    for (long t = 23; t <= 45; t++) {
      ConvergenceGate.Decision d = gate.check(t * SEC, (t - 22) * MIB, 64 * MIB - (t - 22) * MIB,
          MIB, 0);
      if (d != null) {
        assertThat(d.escalate()).as(d.why()).isFalse();
      }
    }
  }
}
