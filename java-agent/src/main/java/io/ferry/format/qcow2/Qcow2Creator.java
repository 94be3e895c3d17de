package io.ferry.format.qcow2;

import io.ferry.error.FerryException;
import io.ferry.format.CreateOptions;
import io.ferry.format.Store;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Writes an empty qcow2 v3 image: header, refcount table, L1 table and the first refcount block.
 * The refcount table is sized up front for the largest file the image can grow to, so the writer
 * never has to move it.
 */
public final class Qcow2Creator {

  private Qcow2Creator() {}

  /** Creates the image in {@code store} (which should be empty) and opens it for writing. */
  public static Qcow2Device create(Store store, long size, CreateOptions options)
      throws IOException {
    int cs = options.clusterSize() == 0 ? 65536 : options.clusterSize();
    if (Integer.bitCount(cs) != 1 || cs < 512 || cs > (2 << 20)) {
      throw FerryException.invalid("cluster_size", cs + " is not a power of two in 512..2097152");
    }
    if (size < 0 || size > Qcow2Header.MAX_VIRTUAL_SIZE) {
      throw FerryException.invalid("size", size + " is outside 0.." + Qcow2Header.MAX_VIRTUAL_SIZE);
    }
    int zstd = zstd(options) ? 1 : 0;
    int bits = Integer.numberOfTrailingZeros(cs);
    long perL1 = (long) cs * (cs / 8);
    long l1Size = Math.max(1, (size + perL1 - 1) / perL1);
    long l1Clusters = (l1Size * 8 + cs - 1) / cs;
    long reftableClusters = reftableClusters(size, cs, l1Size, l1Clusters);
    if (l1Size * 8 > Qcow2Header.MAX_TABLE_BYTES
        || reftableClusters * cs > Qcow2Header.MAX_TABLE_BYTES) {
      throw FerryException.invalid("size", size + " bytes need tables beyond the "
          + (Qcow2Header.MAX_TABLE_BYTES >> 20) + " MiB limit; use a larger cluster size");
    }
    long reftableOff = cs;
    long l1Off = reftableOff + reftableClusters * cs;
    long refblockOff = l1Off + l1Clusters * cs;
    long used = refblockOff / cs + 1;
    ByteBuffer hdr = ByteBuffer.allocate(cs);
    hdr.putInt(0, Qcow2Header.MAGIC).putInt(4, 3).putInt(20, bits).putLong(24, size);
    hdr.putInt(36, (int) l1Size).putLong(40, l1Off).putLong(48, reftableOff);
    hdr.putInt(56, (int) reftableClusters);
    hdr.putLong(72, zstd == 1 ? Qcow2Header.INCOMPAT_COMPRESSION : 0);
    hdr.putInt(96, 4).putInt(100, 112).put(104, (byte) zstd);
    store.write(0, hdr);
    ByteBuffer reftable = ByteBuffer.allocate((int) (reftableClusters * cs));
    reftable.putLong(0, refblockOff);
    store.write(reftableOff, reftable);
    store.write(l1Off, ByteBuffer.allocate((int) (l1Clusters * cs)));
    ByteBuffer refblock = ByteBuffer.allocate(cs);
    for (int i = 0; i < used; i++) {
      refblock.putShort(i * 2, (short) 1);
    }
    store.write(refblockOff, refblock);
    store.flush();
    return Qcow2Device.openCreated(store, options);
  }

  static boolean zstd(CreateOptions options) {
    String t = options.compressionType();
    if (t == null || t.isEmpty() || t.equals("zlib")) {
      return false;
    }
    if (t.equals("zstd")) {
      return true;
    }
    throw FerryException.invalid("compression_type", "'" + t + "' is not zlib or zstd");
  }

  /** Refcount table clusters for the largest file this image can become. */
  private static long reftableClusters(long size, int cs, long l1Size, long l1Clusters) {
    long data = (size + cs - 1) / cs;
    long perBlock = cs / 2;
    long reftable = 1;
    while (true) {
      long clusters = 1 + reftable + l1Clusters + l1Size + data;
      long blocks = (clusters + clusters / 4 + 64 + perBlock - 1) / perBlock;
      long total = clusters + blocks;
      long need = ((total + total / 4 + 64 + perBlock - 1) / perBlock * 8 + cs - 1) / cs;
      if (need <= reftable) {
        return reftable;
      }
      reftable = need;
    }
  }
}
