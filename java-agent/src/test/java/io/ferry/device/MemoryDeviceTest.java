package io.ferry.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MemoryDeviceTest {

  private static ByteBuffer ones(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 1);
    return ByteBuffer.wrap(b);
  }

  @Test
  void holesReadAsZerosAndExtentsFollowBlocks() throws IOException {
    MemoryDevice dev = new MemoryDevice("m", 1L << 40, 4096);
    dev.write(5000, ones(10));
    dev.write((1L << 40) - 1, ones(1));
    assertThat(dev.extents(0, dev.size()))
        .containsExactly(new Extent(4096, 4096), new Extent((1L << 40) - 4096, 4096));
    assertThat(dev.extents(5000, 10)).containsExactly(new Extent(5000, 10));
    ByteBuffer b = ByteBuffer.allocate(20);
    dev.read(4995, b);
    assertThat(b.array()).startsWith(0, 0, 0, 0, 0, 1);
    assertThat(dev.allocatedBytes()).isEqualTo(8192);
  }

  @Test
  void zeroingDeallocatesWholeBlocksAndZerosPartialOnes() throws IOException {
    MemoryDevice dev = new MemoryDevice("m", 64 * 1024, 4096);
    dev.write(0, ones(16384));
    dev.writeZeroes(100, 8192, true);
    assertThat(dev.extents(0, dev.size()))
        .containsExactly(new Extent(0, 4096), new Extent(8192, 8192));
    ByteBuffer b = ByteBuffer.allocate(16384);
    dev.read(0, b);
    assertThat(b.get(99)).isEqualTo((byte) 1);
    assertThat(b.get(100)).isZero();
    assertThat(b.get(8291)).isZero();
    assertThat(b.get(8292)).isEqualTo((byte) 1);
    dev.writeZeroes(32768, 4096, false); // allocated zeros
    assertThat(dev.extents(32768, 4096)).containsExactly(new Extent(32768, 4096));
  }

  @Test
  void outOfRangeIsRefused() {
    MemoryDevice dev = new MemoryDevice("m", 100);
    assertThatThrownBy(() -> dev.write(90, ones(11))).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> dev.read(-1, ByteBuffer.allocate(1))).isInstanceOf(IOException.class);
    ReadOnlyDevice ro = new ReadOnlyDevice(dev);
    assertThatThrownBy(() -> ro.write(0, ones(1))).isInstanceOf(IOException.class);
    assertThat(ro.isReadOnly()).isTrue();
  }
}
