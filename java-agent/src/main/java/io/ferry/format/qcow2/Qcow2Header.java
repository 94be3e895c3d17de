package io.ferry.format.qcow2;

import static io.ferry.format.FormatErrors.check;

import io.ferry.format.FormatErrors;
import io.ferry.format.ImageFormat;
import io.ferry.format.Store;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A vetted qcow2 header (versions 2 and 3), including its header extensions. Parsing refuses
 * backing files, external data files and encryption, unknown incompatible features and every
 * field out of range, before anything else of the image is read.
 *
 * <p>Layout (big-endian): magic "QFI\xfb", version, backing_file_offset(8), backing_file_size(4),
 * cluster_bits(4), size(8), crypt_method(4), l1_size(4), l1_table_offset(8),
 * refcount_table_offset(8), refcount_table_clusters(4), nb_snapshots(4), snapshots_offset(8);
 * v3 adds incompatible(8), compatible(8), autoclear(8) features, refcount_order(4),
 * header_length(4) and compression_type(1).
 */
public record Qcow2Header(
    int version,
    int clusterBits,
    long size,
    int l1Size,
    long l1Offset,
    long refcountTableOffset,
    int refcountTableClusters,
    int nbSnapshots,
    long snapshotsOffset,
    long incompatible,
    int refcountOrder,
    int headerLength,
    int compressionType) {

  public static final int MAGIC = 0x514649fb;
  static final ImageFormat F = ImageFormat.QCOW2;

  public static final long INCOMPAT_DIRTY = 1;
  public static final long INCOMPAT_CORRUPT = 2;
  public static final long INCOMPAT_DATA_FILE = 4;
  public static final long INCOMPAT_COMPRESSION = 8;
  public static final long INCOMPAT_EXTL2 = 16;
  static final long INCOMPAT_KNOWN = 31;

  static final int EXT_END = 0;
  static final int EXT_BACKING_FORMAT = 0xe2792aca;
  static final int EXT_ENCRYPTION = 0x0537be77;
  static final int EXT_DATA_FILE = 0x44415441;

  /** Largest virtual size accepted: 256 TiB (qemu-img refuses much beyond this too). */
  public static final long MAX_VIRTUAL_SIZE = 1L << 48;
  /** Largest L1 or refcount table held in memory. */
  public static final long MAX_TABLE_BYTES = 64L << 20;
  static final int MAX_SNAPSHOTS = 65536;

  public int clusterSize() {
    return 1 << clusterBits;
  }

  public boolean extendedL2() {
    return (incompatible & INCOMPAT_EXTL2) != 0;
  }

  /** Bytes of one L2 entry: 8, or 16 with extended L2 (entry + subcluster bitmap). */
  public int l2EntryBytes() {
    return extendedL2() ? 16 : 8;
  }

  public int l2Bits() {
    return clusterBits - (extendedL2() ? 4 : 3);
  }

  /** Reads and vets the header of the image in {@code store}. */
  public static Qcow2Header read(Store store) throws IOException {
    check(store.length() >= 72, F, "the file is shorter than a qcow2 header");
    ByteBuffer b = store.readMeta(0, Math.min(store.length(), 112), "header");
    check(b.getInt(0) == MAGIC, F, "bad magic");
    int version = b.getInt(4);
    check(version == 2 || version == 3, F, "unsupported version " + version);
    int clusterBits = b.getInt(20);
    check(clusterBits >= 9 && clusterBits <= 21, F,
        "cluster_bits " + clusterBits + " is outside 9..21 (512 B..2 MiB)");
    int headerLength = 72;
    long incompatible = 0;
    int refcountOrder = 4;
    int compressionType = 0;
    if (version == 3) {
      check(b.limit() >= 104, F, "the file is shorter than a qcow2 v3 header");
      incompatible = b.getLong(72);
      refcountOrder = b.getInt(96);
      headerLength = b.getInt(100);
      check(headerLength >= 104 && headerLength % 8 == 0 && headerLength <= (1 << clusterBits) / 2,
          F, "header_length " + headerLength + " is invalid");
      if (headerLength > 104 && b.limit() > 104) {
        compressionType = b.get(104) & 0xff;
      }
    }
    Qcow2Header h = new Qcow2Header(version, clusterBits, b.getLong(24), b.getInt(36),
        b.getLong(40), b.getLong(48), b.getInt(56), b.getInt(60), b.getLong(64), incompatible,
        refcountOrder, headerLength, compressionType);
    h.refuseForeignFiles(store, b.getLong(8), b.getInt(16), b.getInt(32));
    h.vetFields(store.length());
    h.vetExtensions(store);
    return h;
  }

  private void refuseForeignFiles(Store store, long backingOffset, int backingSize, int crypt)
      throws IOException {
    if (backingOffset != 0) {
      String name = "?";
      if (backingSize > 0 && backingSize <= 1023 && backingOffset > 0
          && backingOffset + backingSize <= Math.min(clusterSize(), store.length())) {
        ByteBuffer nb = store.readMeta(backingOffset, backingSize, "backing file name");
        byte[] raw = new byte[backingSize];
        nb.get(raw);
        name = FormatErrors.printable(raw, 200);
      }
      throw FormatErrors.refused(F, "has a backing file ('" + name + "'): Ferry refuses images"
          + " that reference other files; flatten it first with qemu-img convert");
    }
    if (crypt != 0) {
      throw FormatErrors.refused(F, "is encrypted (crypt_method " + crypt + "): Ferry does not"
          + " read encrypted images; decrypt it first with qemu-img convert");
    }
    if ((incompatible & INCOMPAT_DATA_FILE) != 0) {
      throw FormatErrors.refused(F, "has an external data file: Ferry refuses images that"
          + " reference other files; convert it to a self-contained image first");
    }
  }

  private void vetFields(long fileLength) {
    long unknown = incompatible & ~INCOMPAT_KNOWN;
    if (unknown != 0) {
      throw FormatErrors.refused(F, "uses unknown incompatible features 0x"
          + Long.toHexString(unknown) + "; Ferry cannot read it safely");
    }
    if ((incompatible & INCOMPAT_CORRUPT) != 0) {
      throw FormatErrors.corrupt(F, "the image is marked corrupt by QEMU");
    }
    check((incompatible & INCOMPAT_COMPRESSION) != 0 || compressionType == 0, F,
        "compression_type set without its incompatible feature bit");
    check(compressionType == 0 || compressionType == 1, F,
        "unknown compression_type " + compressionType);
    check(refcountOrder >= 0 && refcountOrder <= 6, F, "refcount_order " + refcountOrder);
    check(!extendedL2() || clusterBits >= 14, F,
        "extended L2 entries need clusters of at least 16 KiB");
    check(size >= 0 && size <= MAX_VIRTUAL_SIZE, F, "virtual size " + size + " is out of range");
    check(l1Size >= 0 && (long) l1Size * 8 <= MAX_TABLE_BYTES, F,
        "L1 table of " + l1Size + " entries exceeds the " + (MAX_TABLE_BYTES >> 20) + " MiB limit");
    long perL1 = 1L << (clusterBits + l2Bits());
    check((long) l1Size >= (size + perL1 - 1) / perL1, F,
        "L1 table of " + l1Size + " entries is too small for virtual size " + size);
    vetTable("L1 table", l1Offset, (long) l1Size * 8, fileLength, l1Size > 0);
    check(refcountTableClusters > 0
            && (long) refcountTableClusters << clusterBits <= MAX_TABLE_BYTES, F,
        "refcount table of " + refcountTableClusters + " clusters is out of range");
    vetTable("refcount table", refcountTableOffset, (long) refcountTableClusters << clusterBits,
        fileLength, true);
    check(nbSnapshots >= 0 && nbSnapshots <= MAX_SNAPSHOTS, F,
        nbSnapshots + " snapshots is out of range");
    vetTable("snapshot table", snapshotsOffset, 1, fileLength, nbSnapshots > 0);
  }

  private void vetTable(String what, long offset, long bytes, long fileLength, boolean present) {
    if (!present) {
      return;
    }
    check(offset > 0 && (offset & (clusterSize() - 1)) == 0, F,
        what + " offset " + offset + " is not a non-zero multiple of the cluster size");
    check(offset <= fileLength - bytes, F, what + " at " + offset + " (" + bytes
        + " bytes) lies beyond the end of the file (" + fileLength + " bytes)");
  }

  private void vetExtensions(Store store) throws IOException {
    if (version < 3) {
      return;
    }
    long end = Math.min(clusterSize(), store.length());
    long pos = headerLength;
    while (pos + 8 <= end) {
      ByteBuffer e = store.readMeta(pos, 8, "header extension");
      int type = e.getInt(0);
      long len = e.getInt(4) & 0xffffffffL;
      if (type == EXT_END) {
        return;
      }
      check(len <= end - pos - 8, F, "header extension 0x" + Integer.toHexString(type)
          + " of " + len + " bytes overruns the header cluster");
      if (type == EXT_ENCRYPTION) {
        throw FormatErrors.refused(F, "is encrypted (LUKS header extension): Ferry does not"
            + " read encrypted images; decrypt it first with qemu-img convert");
      }
      if (type == EXT_DATA_FILE) {
        throw FormatErrors.refused(F, "names an external data file: Ferry refuses images that"
            + " reference other files; convert it to a self-contained image first");
      }
      pos += 8 + ((len + 7) & ~7L);
    }
  }
}
