package io.ferry.virt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IoTuneTest {

  @Test
  void throttleSetsAWriteLimitWhenThereIsNone() {
    assertThat(new IoTune(0, 0, 0).throttledTo(4096)).isEqualTo(new IoTune(0, 0, 4096));
  }

  @Test
  void throttleNeverRaisesAnExistingLimit() {
    assertThat(new IoTune(0, 100, 1000).throttledTo(4096)).isEqualTo(new IoTune(0, 100, 1000));
    assertThat(new IoTune(0, 100, 9000).throttledTo(4096)).isEqualTo(new IoTune(0, 100, 4096));
  }

  @Test
  void aTotalLimitIsLoweredRatherThanMixedWithAWriteLimit() {
    // QEMU refuses total together with read/write limits.
    assertThat(new IoTune(9000, 0, 0).throttledTo(4096)).isEqualTo(new IoTune(4096, 0, 0));
  }
}
