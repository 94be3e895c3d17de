package io.ferry.copy;

import java.nio.ByteBuffer;

/**
 * Finds all-zero blocks in a buffer fast: {@link ByteBuffer#mismatch} against a zero buffer is a
 * vectorised intrinsic (several GB/s), so checking costs far less than the write it saves.
 */
final class Zeroes {

  /** Granularity at which zero runs become holes (as {@code qemu-img convert -S 4k}). */
  static final int BLOCK = 4096;
  private static final int WINDOW = 64 * 1024;
  private static final ByteBuffer ZERO = ByteBuffer.allocateDirect(WINDOW).asReadOnlyBuffer();

  private Zeroes() {}

  /** True when bytes {@code [from, to)} of {@code buf} (absolute indexes) are all zero. */
  static boolean isZero(ByteBuffer buf, int from, int to) {
    int pos = from;
    while (pos < to) {
      int n = Math.min(WINDOW, to - pos);
      ByteBuffer slice = buf.duplicate().limit(pos + n).position(pos);
      ByteBuffer zero = ZERO.duplicate().limit(n);
      if (slice.mismatch(zero) != -1) {
        return false;
      }
      pos += n;
    }
    return true;
  }
}
