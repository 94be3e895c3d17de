package io.ferry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizesTest {

  @ParameterizedTest
  @CsvSource({"0,0", "512,512", "4KiB,4096", "4k,4096", "4MiB,4194304", "1.5G,1610612736",
      "1GB,1000000000", "2 MiB,2097152", "1TiB,1099511627776"})
  void parsesSizes(String text, long bytes) {
    assertThat(ByteSizes.parseSize(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @CsvSource({"200MiB/s,209715200", "100M,104857600", "0,0", "1G/s,1073741824", "10MBps,10000000"})
  void parsesRates(String text, long bytes) {
    assertThat(ByteSizes.parseRate(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "fast", "4XB", "-1M", "1..2M"})
  void refusesNonsense(String text) {
    assertThatThrownBy(() -> ByteSizes.parseSize(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("e.g.");
  }

  @ParameterizedTest
  @CsvSource({"0,0 B", "1023,1023 B", "1024,1.00 KiB", "1536,1.50 KiB", "10485760,10.0 MiB",
      "209715200,200 MiB", "1610612736,1.50 GiB"})
  void formats(long bytes, String text) {
    assertThat(ByteSizes.format(bytes)).isEqualTo(text);
  }

  @org.junit.jupiter.api.Test
  void formatsRates() {
    assertThat(ByteSizes.formatRate(0)).isEqualTo("unlimited");
    assertThat(ByteSizes.formatRate(100L << 20)).isEqualTo("100 MiB/s");
  }
}
