package io.ferry.format.vhdx;

import static io.ferry.format.FormatErrors.check;

import io.ferry.format.FormatErrors;
import io.ferry.format.ImageFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/**
 * The metadata region: a table ("metadata", up to 2047 entries of item GUID, offset, length,
 * flags) and the items Ferry needs: file parameters (block size, has-parent), virtual disk size,
 * logical sector size. A parent (differencing disk) or an unknown required item is refused.
 */
record VhdxMetadata(int blockSize, long virtualSize, int logicalSector) {

  static final ImageFormat F = ImageFormat.VHDX;
  static final UUID FILE_PARAMS = UUID.fromString("caa16737-fa36-4d43-b3b6-33f0aa44e76b");
  static final UUID DISK_SIZE = UUID.fromString("2fa54224-cd1b-4876-b211-5dbed83bf4b8");
  static final UUID LOGICAL_SECTOR = UUID.fromString("8141bf1d-a96f-4709-ba47-f233a8faab5f");
  static final UUID PHYSICAL_SECTOR = UUID.fromString("cda348c7-445d-4471-9cc9-e9885251c556");
  static final UUID PAGE83 = UUID.fromString("beca12ab-b2e6-4523-93ef-c309e000c746");
  static final UUID PARENT = UUID.fromString("a8d35f2d-b30b-454d-abf7-d3d84834ab0c");
  static final long MAX_SIZE = 64L << 40;

  static VhdxMetadata parse(ByteBuffer raw) {
    ByteBuffer m = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    check(m.getLong(0) == 0x617461646174656dL, F, "bad metadata table signature");
    int count = m.getShort(10) & 0xffff;
    check(count <= 2047, F, "metadata table has " + count + " entries");
    Integer block = null;
    Long size = null;
    Integer sector = null;
    for (int i = 0; i < count; i++) {
      int e = 32 + i * 32;
      UUID id = VhdxRegions.guid(m, e);
      long off = m.getInt(e + 16) & 0xffffffffL;
      long len = m.getInt(e + 20) & 0xffffffffL;
      boolean required = (m.getInt(e + 24) & 4) != 0;
      check(len == 0 || (off >= 65536 && off <= m.limit() - len), F,
          "metadata item " + id + " lies outside the metadata region");
      if (id.equals(FILE_PARAMS)) {
        check(len >= 8, F, "file parameters item is short");
        block = m.getInt((int) off);
        if ((m.getInt((int) off + 4) & 2) != 0) {
          throw FormatErrors.refused(F, "is a differencing disk with a parent: Ferry refuses"
              + " images that reference other files; merge it first with qemu-img convert");
        }
      } else if (id.equals(DISK_SIZE)) {
        check(len >= 8, F, "virtual disk size item is short");
        size = m.getLong((int) off);
      } else if (id.equals(LOGICAL_SECTOR)) {
        check(len >= 4, F, "logical sector size item is short");
        sector = m.getInt((int) off);
      } else if (id.equals(PARENT)) {
        throw FormatErrors.refused(F, "has a parent locator: Ferry refuses images that"
            + " reference other files; merge it first with qemu-img convert");
      } else if (required && !id.equals(PHYSICAL_SECTOR) && !id.equals(PAGE83)) {
        throw FormatErrors.refused(F, "needs an unknown metadata item " + id);
      }
    }
    check(block != null && size != null && sector != null, F, "metadata lacks a required item");
    check(block >= (1 << 20) && block <= (256 << 20) && Integer.bitCount(block) == 1, F,
        "block size " + block + " is not a power of two in 1..256 MiB");
    check(sector == 512 || sector == 4096, F, "logical sector size " + sector);
    check(size >= 0 && size <= MAX_SIZE && size % sector == 0, F,
        "virtual disk size " + size + " is out of range");
    return new VhdxMetadata(block, size, sector);
  }

  /** Payload blocks per sector-bitmap block: 2^23 sectors per chunk. */
  long chunkRatio() {
    return (1L << 23) * logicalSector / blockSize;
  }
}
