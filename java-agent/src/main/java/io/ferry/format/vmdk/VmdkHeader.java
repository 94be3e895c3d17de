package io.ferry.format.vmdk;

import static io.ferry.format.FormatErrors.check;

import io.ferry.format.ImageFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 512-byte little-endian header of a hosted sparse extent ("KDMV"): version, flags,
 * capacity, grain size, embedded descriptor, grain table entries per table, grain directory
 * offset (all ones for streamOptimized: the real one is in the footer) and compression.
 */
record VmdkHeader(
    int version, int flags, long capacity, long grainSize, long descriptorOffset,
    long descriptorSize, int gtesPerGt, long rgdOffset, long gdOffset, long overhead,
    int compressAlgorithm) {

  static final ImageFormat F = ImageFormat.VMDK;
  static final int MAGIC = 0x564d444b;
  static final long GD_AT_END = -1L;
  static final int FLAG_ZERO_GTE = 1 << 2;
  static final int FLAG_COMPRESSED = 1 << 16;
  static final int FLAG_MARKERS = 1 << 17;
  /** 256 TiB in sectors. */
  static final long MAX_CAPACITY = 1L << 39;

  static VmdkHeader parse(ByteBuffer raw) {
    ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    check(b.remaining() >= 512 && b.getInt(0) == MAGIC, F, "bad sparse extent magic");
    VmdkHeader h = new VmdkHeader(b.getInt(4), b.getInt(8), b.getLong(12), b.getLong(20),
        b.getLong(28), b.getLong(36), b.getInt(44), b.getLong(48), b.getLong(56), b.getLong(64),
        b.getShort(77) & 0xffff);
    check(h.version >= 1 && h.version <= 3, F, "unsupported version " + h.version);
    check(h.capacity >= 0 && h.capacity <= MAX_CAPACITY, F,
        "capacity of " + h.capacity + " sectors is out of range");
    check(h.grainSize >= 1 && h.grainSize <= 4096 && Long.bitCount(h.grainSize) == 1, F,
        "grain size of " + h.grainSize + " sectors is not a power of two up to 2 MiB");
    check(h.gtesPerGt >= 1 && h.gtesPerGt <= 512, F,
        h.gtesPerGt + " grain table entries per table is outside 1..512");
    check(!h.compressed() || h.compressAlgorithm == 1, F,
        "unknown compression algorithm " + h.compressAlgorithm);
    return h;
  }

  boolean compressed() {
    return (flags & FLAG_COMPRESSED) != 0;
  }

  boolean markers() {
    return (flags & FLAG_MARKERS) != 0;
  }

  boolean zeroGte() {
    return (flags & FLAG_ZERO_GTE) != 0;
  }

  long grainBytes() {
    return grainSize * 512;
  }

  /** Number of grain directory entries covering the capacity. */
  long gdEntries() {
    long perGt = grainSize * gtesPerGt;
    return (capacity + perGt - 1) / perGt;
  }

  /** A streamOptimized header; {@code gdOffset} GD_AT_END in the leading copy. */
  static ByteBuffer build(long capacity, long grainSize, long descOffset, long descSize,
      long gdOffset, long overhead) {
    ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(MAGIC).putInt(3).putInt(FLAG_COMPRESSED | FLAG_MARKERS | 1).putLong(capacity);
    b.putLong(grainSize).putLong(descOffset).putLong(descSize).putInt(512).putLong(0);
    b.putLong(gdOffset).putLong(overhead).put((byte) 0);
    b.put((byte) '\n').put((byte) ' ').put((byte) '\r').put((byte) '\n').putShort((short) 1);
    return b.clear();
  }
}
