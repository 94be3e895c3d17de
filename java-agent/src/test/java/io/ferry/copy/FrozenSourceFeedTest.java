package io.ferry.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.MemoryDevice;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrozenSourceFeedTest {

  @Test
  void oneFullPassOfTheAllocatedExtentsThenEmptyPassesAndNothingPending() throws Exception {
    MemoryDevice src = new MemoryDevice("src", 1 << 20, 4096);
    src.write(8192, ByteBuffer.wrap(new byte[4096]).put(0, (byte) 1));
    src.write(512 * 1024, ByteBuffer.wrap(new byte[8192]).put(0, (byte) 2));
    try (FrozenSourceFeed feed = new FrozenSourceFeed(src)) {
      ChangeFeed.Pass first = feed.start(Map.of());
      assertThat(first.readFrom()).isSameAs(src);
      assertThat(first.extents()).isEqualTo(src.extents(0, src.size()));
      assertThat(feed.next(false).extents()).isEmpty();
      assertThat(feed.next(true).extents()).isEmpty();
      assertThat(feed.pendingBytes()).isZero();
      assertThat(feed.state()).isEmpty();
    }
    assertThat(src.size()).as("the device stays open: it is the caller's").isEqualTo(1 << 20);
  }
}
