package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HumanTest {
  @Test
  void durations() {
    assertThat(Human.duration(-1)).isEqualTo("?");
    assertThat(Human.duration(45)).isEqualTo("45s");
    assertThat(Human.duration(187)).isEqualTo("3m07s");
    assertThat(Human.duration(7500)).isEqualTo("2h05m");
  }

  @Test
  void percentAndRates() {
    assertThat(Human.percent(1, 0)).isEqualTo("--%");
    assertThat(Human.percent(1, 3)).isEqualTo("33%");
    assertThat(Human.rate(3L << 20)).isEqualTo("3.00 MiB/s");
    assertThat(Human.cap(0)).isEqualTo("unlimited");
  }
}
