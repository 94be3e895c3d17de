package io.ferry.format.vhd;

import static io.ferry.format.FormatErrors.check;

import io.ferry.device.Extent;
import io.ferry.format.ExtentBuilder;
import io.ferry.format.ImageDevice;
import io.ferry.format.ImageFormat;
import io.ferry.format.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * A VHD image (qemu's "vpc"), fixed or dynamic, read and write.
 *
 * <p>Fixed: the guest data then the footer. Dynamic: footer copy, dynamic header, block
 * allocation table (BAT: one big-endian sector number per block, all ones when unallocated), then
 * blocks of a sector bitmap plus data, then the footer. Like qemu, reads ignore the sector bitmap
 * of an allocated block; new blocks get an all-ones bitmap. New blocks go where the footer was;
 * the BAT and footer are rewritten at {@link #flush}.
 */
public final class VhdDevice extends ImageDevice {

  static final ImageFormat F = ImageFormat.VHD;
  static final int UNALLOCATED = -1;

  private final VhdFooter footer;
  private final VhdDynamicHeader dyn;
  private final int[] bat;
  private final Object lock = new Object();
  private long nextFree;
  private boolean dirty;

  private VhdDevice(Store store, VhdFooter footer, VhdDynamicHeader dyn, int[] bat,
      boolean readOnly) {
    super(store, F, footer.virtualSize(), readOnly);
    this.footer = footer;
    this.dyn = dyn;
    this.bat = bat;
  }

  /** Opens and vets the VHD image in {@code store}. */
  public static VhdDevice open(Store store, boolean readOnly) throws IOException {
    long len = store.length();
    check(len >= VhdFooter.SIZE && len % 512 == 0, F, "file length " + len
        + " is not a whole number of 512-byte sectors");
    VhdFooter footer = readFooter(store, len);
    long size = footer.virtualSize();
    if (footer.diskType() == VhdFooter.FIXED) {
      check(size <= len - VhdFooter.SIZE, F, "virtual size " + size
          + " exceeds the data in the file (" + (len - VhdFooter.SIZE) + " bytes)");
      return new VhdDevice(store, footer, null, null, readOnly);
    }
    long dOff = footer.dataOffset();
    check(dOff >= 512 && dOff <= len - VhdDynamicHeader.SIZE, F,
        "dynamic header offset " + dOff + " lies outside the file");
    VhdDynamicHeader dyn = VhdDynamicHeader.parse(
        store.readMeta(dOff, VhdDynamicHeader.SIZE, "dynamic header"), len, size);
    int[] bat = new int[dyn.maxEntries()];
    store.readMeta(dyn.batOffset(), (long) bat.length * 4, "BAT").asIntBuffer().get(bat);
    VhdDevice d = new VhdDevice(store, footer, dyn, bat, readOnly);
    d.nextFree = d.vetBlocks(dOff, len);
    return d;
  }

  private static VhdFooter readFooter(Store store, long len) throws IOException {
    try {
      return VhdFooter.parse(store.readMeta(len - VhdFooter.SIZE, VhdFooter.SIZE, "footer"));
    } catch (io.ferry.error.FerryException e) {
      if (e.reason() != io.ferry.error.Reason.DATA_LOSS) {
        throw e;
      }
      // qemu falls back to the dynamic disk's footer copy at offset 0.
      VhdFooter copy = VhdFooter.parse(store.readMeta(0, VhdFooter.SIZE, "footer copy"));
      check(copy.diskType() == VhdFooter.DYNAMIC, F, "footer is invalid");
      return copy;
    }
  }

  /** Checks every used block lies in the file and on no other; returns the first free byte. */
  private long vetBlocks(long headerOffset, long len) {
    long blockBytes = dyn.bitmapBytes() + (long) dyn.blockSize();
    long batEnd = dyn.batOffset() + (long) bat.length * 4;
    long metaEnd = Math.max(batEnd, headerOffset + VhdDynamicHeader.SIZE);
    int used = (int) Math.min(bat.length, (virtualSize + dyn.blockSize() - 1) / dyn.blockSize());
    long[] starts = new long[used];
    int n = 0;
    for (int i = 0; i < used; i++) {
      if (bat[i] != UNALLOCATED) {
        long start = (bat[i] & 0xffffffffL) * 512;
        check(start >= metaEnd && start <= len - blockBytes, F, "block " + i + " at " + start
            + " lies outside the data area of the file");
        starts[n++] = start;
      }
    }
    long[] sorted = Arrays.copyOf(starts, n);
    Arrays.sort(sorted);
    for (int i = 1; i < n; i++) {
      check(sorted[i] - sorted[i - 1] >= blockBytes, F, "blocks at " + sorted[i - 1] + " and "
          + sorted[i] + " overlap");
    }
    long end = n == 0 ? (metaEnd + 511) / 512 * 512 : sorted[n - 1] + blockBytes;
    return Math.max(end, len - VhdFooter.SIZE);
  }

  /** Creates an empty image: "fixed" or "dynamic" (default), blocks of {@code blockSize}. */
  public static VhdDevice create(Store store, long size, String subformat, int blockSize)
      throws IOException {
    if (size < 0 || size % 512 != 0 || size > VhdFooter.MAX_SIZE) {
      throw io.ferry.error.FerryException.invalid("size", "VHD size " + size
          + " must be a multiple of 512 up to " + VhdFooter.MAX_SIZE);
    }
    boolean fixed = "fixed".equals(subformat);
    if (!fixed && subformat != null && !subformat.equals("dynamic")) {
      throw io.ferry.error.FerryException.invalid("subformat", "'" + subformat
          + "' is not fixed or dynamic");
    }
    if (fixed) {
      store.write(size, VhdFooter.build(size, VhdFooter.FIXED, -1L));
      store.flush();
      return open(store, false);
    }
    int bs = blockSize == 0 ? 2 << 20 : blockSize;
    if (bs < 512 || Integer.bitCount(bs) != 1 || bs > (256 << 20)) {
      throw io.ferry.error.FerryException.invalid("cluster_size", "VHD block size " + bs
          + " is not a power of two in 512 B..256 MiB");
    }
    int entries = (int) ((size + bs - 1) / bs);
    long batBytes = ((long) entries * 4 + 511) / 512 * 512;
    ByteBuffer ft = VhdFooter.build(size, VhdFooter.DYNAMIC, 512);
    store.write(0, ft.duplicate());
    store.write(512, VhdDynamicHeader.build(1536, entries, bs));
    ByteBuffer batBuf = ByteBuffer.allocate((int) batBytes);
    while (batBuf.hasRemaining()) {
      batBuf.putInt(UNALLOCATED);
    }
    store.write(1536, batBuf.flip());
    store.write(1536 + batBytes, ft);
    store.flush();
    return open(store, false);
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    checkOpen();
    checkRange(offset, dst.remaining());
    if (dyn == null) {
      store.readData(offset, dst);
      return;
    }
    while (dst.hasRemaining()) {
      int in = (int) (offset % dyn.blockSize());
      int n = Math.min(dst.remaining(), dyn.blockSize() - in);
      ByteBuffer part = dst.slice().limit(n);
      long host = dataOffset(offset);
      if (host < 0) {
        Store.fillZeros(part);
      } else {
        store.readData(host + in, part);
      }
      dst.position(dst.position() + n);
      offset += n;
    }
  }

  /** Host offset of the data of the block holding {@code guest}, or -1 if unallocated. */
  private long dataOffset(long guest) {
    int e = bat[(int) (guest / dyn.blockSize())];
    return e == UNALLOCATED ? -1 : (e & 0xffffffffL) * 512 + dyn.bitmapBytes();
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    checkOpen();
    checkWritable();
    checkRange(offset, src.remaining());
    if (dyn == null) {
      store.write(offset, src);
      return;
    }
    while (src.hasRemaining()) {
      int in = (int) (offset % dyn.blockSize());
      int n = Math.min(src.remaining(), dyn.blockSize() - in);
      ByteBuffer part = src.slice().limit(n);
      long host = dataOffset(offset);
      if (host < 0) {
        host = allocate((int) (offset / dyn.blockSize()));
      }
      store.write(host + in, part);
      src.position(src.position() + n);
      offset += n;
    }
  }

  private long allocate(int block) throws IOException {
    synchronized (lock) {
      if (bat[block] != UNALLOCATED) {
        return dataOffset((long) block * dyn.blockSize());
      }
      long start = nextFree;
      check(start / 512 <= 0xfffffffeL, F, "the file outgrew the 32-bit BAT");
      byte[] bitmap = new byte[dyn.bitmapBytes()];
      Arrays.fill(bitmap, (byte) 0xff);
      store.write(start, ByteBuffer.wrap(bitmap));
      nextFree = start + dyn.bitmapBytes() + dyn.blockSize();
      // The footer at the new end also makes the block's data area part of the file (zeros).
      store.write(nextFree, footerBytes());
      bat[block] = (int) (start / 512);
      dirty = true;
      return start + dyn.bitmapBytes();
    }
  }

  private ByteBuffer footerBytes() throws IOException {
    return store.readMeta(0, VhdFooter.SIZE, "footer copy");
  }

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) throws IOException {
    checkOpen();
    checkWritable();
    checkRange(offset, length);
    if (dyn == null) {
      store.device().writeZeroes(offset, length, deallocate);
      return;
    }
    long end = offset + length;
    while (offset < end) {
      long blockEnd = (offset / dyn.blockSize() + 1) * dyn.blockSize();
      long n = Math.min(end, blockEnd) - offset;
      if (dataOffset(offset) >= 0) {
        writeZeroBytes(offset, n);
      }
      offset += n;
    }
  }

  @Override
  public List<Extent> extents(long offset, long length) throws IOException {
    checkOpen();
    checkRange(offset, length);
    if (dyn == null) {
      return store.device().extents(offset, length);
    }
    ExtentBuilder out = new ExtentBuilder(offset, length);
    long bs = dyn.blockSize();
    for (long b = offset / bs; b * bs < offset + length; b++) {
      if (bat[(int) b] != UNALLOCATED) {
        out.add(b * bs, bs);
      }
    }
    return out.build();
  }

  @Override
  public boolean canExtents() {
    return dyn != null || store.device().canExtents();
  }

  @Override
  public boolean canDeallocate() {
    return dyn == null && store.device().canDeallocate();
  }

  @Override
  public void flush() throws IOException {
    if (readOnly) {
      return;
    }
    synchronized (lock) {
      if (dirty) {
        ByteBuffer b = ByteBuffer.allocate(bat.length * 4);
        b.asIntBuffer().put(bat);
        store.write(dyn.batOffset(), b);
        dirty = false;
      }
    }
    store.flush();
  }

  VhdFooter footer() {
    return footer;
  }

}
