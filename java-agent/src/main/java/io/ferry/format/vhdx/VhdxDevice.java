package io.ferry.format.vhdx;

import static io.ferry.format.FormatErrors.check;

import io.ferry.device.Extent;
import io.ferry.format.ExtentBuilder;
import io.ferry.format.ImageFormat;
import io.ferry.format.MetadataMap;
import io.ferry.format.ReadOnlyImageDevice;
import io.ferry.format.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * A VHDX image, read-only. The BAT interleaves one sector-bitmap entry after every chunk of
 * payload entries; a payload entry's low 3 bits are its state (6: present at the offset in bits
 * 20..63; 0-3: reads as zeros) and every present block is vetted at open: inside the file,
 * off the headers and regions, not overlapping another block.
 */
public final class VhdxDevice extends ReadOnlyImageDevice {

  static final ImageFormat F = ImageFormat.VHDX;
  static final long MAX_BAT_BYTES = 64L << 20;
  static final int PRESENT = 6;

  private final VhdxMetadata meta;
  /** Host offset of each payload block, or -1 when it reads as zeros. */
  private final long[] blocks;

  private VhdxDevice(Store store, VhdxMetadata meta, long[] blocks) {
    super(store, F, meta.virtualSize());
    this.meta = meta;
    this.blocks = blocks;
  }

  public static VhdxDevice open(Store store) throws IOException {
    VhdxRegions r = VhdxRegions.read(store);
    check(r.metaLength() <= MAX_BAT_BYTES, F, "metadata region is too big");
    VhdxMetadata meta = VhdxMetadata.parse(
        store.readMeta(r.metaOffset(), r.metaLength(), "metadata region"));
    long payload = (meta.virtualSize() + meta.blockSize() - 1) / meta.blockSize();
    long ratio = meta.chunkRatio();
    long entries = payload == 0 ? 0 : payload + (payload - 1) / ratio;
    check(entries * 8 <= r.batLength() && entries * 8 <= MAX_BAT_BYTES, F, "BAT of " + entries
        + " entries does not fit its region or the 64 MiB limit");
    ByteBuffer bat = store.readMeta(r.batOffset(), entries * 8, "BAT")
        .order(ByteOrder.LITTLE_ENDIAN);
    MetadataMap map = new MetadataMap(F);
    map.add(0, 1 << 20, "headers");
    map.add(r.batOffset(), r.batLength(), "BAT region");
    map.add(r.metaOffset(), r.metaLength(), "metadata region");
    long[] blocks = new long[(int) payload];
    for (int i = 0; i < payload; i++) {
      long e = bat.getLong((int) ((i + i / ratio) * 8));
      int state = (int) (e & 7);
      blocks[i] = -1;
      if (state == PRESENT) {
        long off = e & ~0xfffffL;
        check(off >= (1 << 20) && off < store.length(), F, "block " + i + " at " + off
            + " lies outside the file");
        map.checkData(off, Math.min(meta.blockSize(), store.length() - off),
            (long) i * meta.blockSize());
        blocks[i] = off;
      } else if (state == 7) {
        throw io.ferry.format.FormatErrors.refused(F, "has partially present blocks, which"
            + " only differencing disks have; merge it first with qemu-img convert");
      } else {
        check(state <= 3, F, "block " + i + " has unknown state " + state);
      }
    }
    checkNoOverlap(blocks, meta.blockSize());
    return new VhdxDevice(store, meta, blocks);
  }

  private static void checkNoOverlap(long[] blocks, long blockSize) {
    long[] sorted = Arrays.stream(blocks).filter(b -> b >= 0).sorted().toArray();
    for (int i = 1; i < sorted.length; i++) {
      check(sorted[i] - sorted[i - 1] >= blockSize, F, "blocks at " + sorted[i - 1] + " and "
          + sorted[i] + " overlap");
    }
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    checkOpen();
    checkRange(offset, dst.remaining());
    int bs = meta.blockSize();
    while (dst.hasRemaining()) {
      int in = (int) (offset % bs);
      int n = Math.min(dst.remaining(), bs - in);
      ByteBuffer part = dst.slice().limit(n);
      long host = blocks[(int) (offset / bs)];
      if (host < 0) {
        Store.fillZeros(part);
      } else {
        store.readData(host + in, part);
      }
      dst.position(dst.position() + n);
      offset += n;
    }
  }

  @Override
  public List<Extent> extents(long offset, long length) {
    checkOpen();
    checkRange(offset, length);
    ExtentBuilder out = new ExtentBuilder(offset, length);
    long bs = meta.blockSize();
    for (long b = offset / bs; b * bs < offset + length; b++) {
      if (blocks[(int) b] >= 0) {
        out.add(b * bs, bs);
      }
    }
    return out.build();
  }
}
