package io.ferry.demo;

import io.ferry.device.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * The quick start's sample volume: a sparse raw image in which every other {@code stride} holds
 * pseudo-random data and the rest are holes, like a half-used disk. Deterministic from its seed.
 */
public final class SampleVolume {

  private static final int BLOCK = 1 << 20;

  private SampleVolume() {}

  /** Fills {@code device} (assumed all holes) and returns the data bytes written. */
  public static long fill(BlockDevice device, long stride, long seed) throws IOException {
    long size = device.size();
    SplittableRandom random = new SplittableRandom(seed);
    ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK);
    long written = 0;
    for (long start = 0; start < size; start += 2 * stride) {
      long end = Math.min(size, start + stride);
      for (long off = start; off < end; off += BLOCK) {
        int len = (int) Math.min(BLOCK, end - off);
        buf.clear();
        while (buf.position() + 8 <= len) {
          buf.putLong(random.nextLong());
        }
        while (buf.position() < len) {
          buf.put((byte) random.nextInt());
        }
        buf.flip();
        device.write(off, buf);
        written += len;
      }
    }
    device.flush();
    return written;
  }
}
