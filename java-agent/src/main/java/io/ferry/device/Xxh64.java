package io.ferry.device;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Streaming XXH64 with seed 0, the hash a Ceph OSD computes for {@code rados_checksum} with
 * {@code LIBRADOS_CHECKSUM_TYPE_XXHASH64} ({@link BlockDevice#storedXxHash64}). Written out here
 * because Maven Central's implementations come with native code or large dependencies; it is the
 * reference algorithm, checked against the reference test vectors and a live OSD. Not thread-safe.
 */
public final class Xxh64 {

  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private long v1 = P1 + P2;
  private long v2 = P2;
  private long v3 = 0;
  private long v4 = -P1;
  private long total;
  private final ByteBuffer carry = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);

  /** Adds the remaining bytes of {@code data} without moving its position. */
  public void update(ByteBuffer data) {
    ByteBuffer in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    total += in.remaining();
    if (carry.position() > 0) {
      while (carry.hasRemaining() && in.hasRemaining()) {
        carry.put(in.get());
      }
      if (carry.hasRemaining()) {
        return;
      }
      stripe(carry, 0);
      carry.clear();
    }
    int pos = in.position();
    int end = in.limit();
    for (; pos + 32 <= end; pos += 32) {
      stripe(in, pos);
    }
    carry.put(in.position(pos));
  }

  private void stripe(ByteBuffer b, int at) {
    v1 = round(v1, b.getLong(at));
    v2 = round(v2, b.getLong(at + 8));
    v3 = round(v3, b.getLong(at + 16));
    v4 = round(v4, b.getLong(at + 24));
  }

  /** The hash of everything added so far. */
  public long value() {
    long h;
    if (total >= 32) {
      h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
      h = merge(merge(merge(merge(h, v1), v2), v3), v4);
    } else {
      h = P5;
    }
    h += total;
    ByteBuffer rest = carry.duplicate().flip().order(ByteOrder.LITTLE_ENDIAN);
    while (rest.remaining() >= 8) {
      h ^= round(0, rest.getLong());
      h = Long.rotateLeft(h, 27) * P1 + P4;
    }
    if (rest.remaining() >= 4) {
      h ^= (rest.getInt() & 0xFFFFFFFFL) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
    }
    while (rest.hasRemaining()) {
      h ^= (rest.get() & 0xFFL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
    }
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    return h ^ (h >>> 32);
  }

  private static long round(long acc, long input) {
    return Long.rotateLeft(acc + input * P2, 31) * P1;
  }

  private static long merge(long acc, long v) {
    return (acc ^ round(0, v)) * P1 + P4;
  }
}
