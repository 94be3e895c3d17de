package io.ferry.format.qcow2;

/** Bit layout of qcow2 L1, L2 and refcount table entries. */
final class Qcow2Entry {

  private Qcow2Entry() {}

  static final long OFFSET_MASK = 0x00fffffffffffe00L;
  static final long COPIED = 1L << 63;
  static final long COMPRESSED = 1L << 62;
  static final long ZERO = 1L;
  static final long L1_RESERVED = 0x7f000000000001feL;
  static final long L2_RESERVED = 0x3f000000000001feL;
  static final long REFTABLE_RESERVED = 0x1ffL;

  static boolean compressed(long e) {
    return (e & COMPRESSED) != 0;
  }

  static long offset(long e) {
    return e & OFFSET_MASK;
  }

  /** Bit where the sector count of a compressed entry starts. */
  static int csizeShift(int clusterBits) {
    return 62 - (clusterBits - 8);
  }

  static long compressedOffset(long e, int clusterBits) {
    return e & ((1L << csizeShift(clusterBits)) - 1);
  }

  /** Bytes to read for a compressed cluster: whole 512-byte sectors from its start. */
  static long compressedSize(long e, int clusterBits) {
    int shift = csizeShift(clusterBits);
    long sectors = ((e >>> shift) & ((1L << (clusterBits - 8)) - 1)) + 1;
    return sectors * 512 - (compressedOffset(e, clusterBits) & 511);
  }

  static long compressedEntry(long hostOffset, int length, int clusterBits) {
    long sectors = ((hostOffset + length - 1) >> 9) - (hostOffset >> 9);
    return COMPRESSED | (sectors << csizeShift(clusterBits)) | hostOffset;
  }
}
