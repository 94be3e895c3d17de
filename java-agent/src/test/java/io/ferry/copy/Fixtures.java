package io.ferry.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.BlockDevice;
import io.ferry.device.MemoryDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;

/** Devices with known contents and plans with test-sized knobs. */
final class Fixtures {

  static final long KIB = 1024;
  static final long MIB = 1024 * KIB;

  private Fixtures() {}

  /** Writes {@code length} pseudo-random bytes (never an all-zero 4 KiB block) at {@code offset}. */
  static void fill(BlockDevice dev, long offset, long length, long seed) throws IOException {
    Random r = new Random(seed);
    byte[] buf = new byte[(int) Math.min(length, 1 << 20)];
    long pos = offset;
    while (pos < offset + length) {
      int n = (int) Math.min(buf.length, offset + length - pos);
      r.nextBytes(buf);
      buf[0] = 1;
      dev.write(pos, ByteBuffer.wrap(buf, 0, n));
      pos += n;
    }
  }

  static MemoryDevice memory(String name, long size) {
    return new MemoryDevice(name, size, 4096);
  }

  static CopyPlan plan(ChangeFeed feed, BlockDevice dest, boolean verify) {
    return new CopyPlan(feed, dest, Throttle.NONE, 256 * KIB, 4, true, verify, 64 * KIB, 8);
  }

  /** Asserts both devices read the same over the source's size. */
  static void assertSameContent(BlockDevice src, BlockDevice dst) throws IOException {
    long size = src.size();
    ByteBuffer a = ByteBuffer.allocate(1 << 20);
    ByteBuffer b = ByteBuffer.allocate(1 << 20);
    for (long pos = 0; pos < size; pos += a.capacity()) {
      int n = (int) Math.min(a.capacity(), size - pos);
      a.clear().limit(n);
      b.clear().limit(n);
      src.read(pos, a);
      dst.read(pos, b);
      a.flip();
      b.flip();
      int at = a.mismatch(b);
      assertThat(at).as("first differing byte at %d", pos + at).isEqualTo(-1);
    }
  }
}
