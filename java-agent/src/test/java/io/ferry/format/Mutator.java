package io.ferry.format;

import java.util.Arrays;
import java.util.Random;

/** Deterministic mutations of an image, aimed at headers and tables. */
final class Mutator {

  private Mutator() {}

  private static final long[] EDGES = {0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffffL,
      0x80000000L, 0xffffffffL, Long.MAX_VALUE, Long.MIN_VALUE, 512, 4096, 65536, 1 << 20,
      1L << 40};

  static byte[] mutate(byte[] src, Random rnd) {
    byte[] b = src.clone();
    int rounds = 1 + rnd.nextInt(4);
    for (int r = 0; r < rounds; r++) {
      switch (rnd.nextInt(6)) {
        case 0 -> b[offset(b, rnd)] ^= (byte) (1 << rnd.nextInt(8));
        case 1 -> b[offset(b, rnd)] = (byte) rnd.nextInt();
        case 2 -> putField(b, offset(b, rnd), EDGES[rnd.nextInt(EDGES.length)], rnd);
        case 3 -> putField(b, offset(b, rnd), rnd.nextLong(), rnd);
        case 4 -> b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
        default -> b = Arrays.copyOf(b, b.length + 512 * (1 + rnd.nextInt(8)));
      }
      if (b.length == 0) {
        return b;
      }
    }
    return b;
  }

  /** Biased to headers: the first 4 KiB, the 64 KiB-aligned tables, the last 1.5 KiB. */
  private static int offset(byte[] b, Random rnd) {
    int n = b.length;
    return switch (rnd.nextInt(4)) {
      case 0 -> rnd.nextInt(Math.min(n, 4096));
      case 1 -> Math.min(n - 1, (rnd.nextInt(Math.max(1, n >> 16)) << 16) + rnd.nextInt(512));
      case 2 -> Math.max(0, n - 1 - rnd.nextInt(Math.min(n, 1536)));
      default -> rnd.nextInt(n);
    };
  }

  private static void putField(byte[] b, int at, long v, Random rnd) {
    int width = new int[] {1, 2, 4, 8}[rnd.nextInt(4)];
    boolean big = rnd.nextBoolean();
    for (int i = 0; i < width && at + i < b.length; i++) {
      int shift = big ? 8 * (width - 1 - i) : 8 * i;
      b[at + i] = (byte) (v >>> shift);
    }
  }
}
