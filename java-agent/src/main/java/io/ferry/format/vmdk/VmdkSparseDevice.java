package io.ferry.format.vmdk;

import static io.ferry.format.FormatErrors.check;

import io.ferry.device.Extent;
import io.ferry.format.ExtentBuilder;
import io.ferry.format.FormatErrors;
import io.ferry.format.ImageFormat;
import io.ferry.format.MetadataMap;
import io.ferry.format.ReadOnlyImageDevice;
import io.ferry.format.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A hosted sparse vmdk extent (monolithicSparse or streamOptimized), read-only. The grain
 * directory and every grain table are vetted at open: inside the file, not overlapping each
 * other or the header and descriptor, and every grain (or compressed grain with its marker)
 * inside the file and off the metadata.
 */
public final class VmdkSparseDevice extends ReadOnlyImageDevice {

  static final ImageFormat F = ImageFormat.VMDK;
  static final long MAX_TABLE_BYTES = 64L << 20;

  private final VmdkHeader h;
  /** Grain table entries for the whole disk: sector of each grain, 0 unallocated, 1 zero. */
  private final int[] gte;

  private VmdkSparseDevice(Store store, VmdkHeader h, int[] gte) {
    super(store, F, h.capacity() * 512);
    this.h = h;
    this.gte = gte;
  }

  public static VmdkSparseDevice open(Store store) throws IOException {
    long len = store.length();
    VmdkHeader h = VmdkHeader.parse(store.readMeta(0, 512, "header"));
    if (h.gdOffset() == VmdkHeader.GD_AT_END) {
      check(len >= 1536, F, "streamOptimized image has no footer");
      h = VmdkHeader.parse(store.readMeta(len - 1024, 512, "footer"));
      check(h.gdOffset() != VmdkHeader.GD_AT_END, F, "footer has no grain directory");
    }
    MetadataMap map = new MetadataMap(F);
    map.add(0, 512, "header");
    if (h.descriptorOffset() > 0 && h.descriptorSize() > 0) {
      check(h.descriptorSize() * 512 <= VmdkDescriptor.MAX_BYTES, F, "descriptor is too big");
      ByteBuffer d = store.readMeta(h.descriptorOffset() * 512, h.descriptorSize() * 512,
          "descriptor");
      checkDescriptor(VmdkDescriptor.parse(d.array(), d.limit()));
      map.add(h.descriptorOffset() * 512, h.descriptorSize() * 512, "descriptor");
    }
    long gdEntries = h.gdEntries();
    long totalGtes = gdEntries * h.gtesPerGt();
    check(totalGtes * 4 <= MAX_TABLE_BYTES, F, "grain tables of " + totalGtes
        + " entries exceed the 64 MiB limit");
    check(h.gdOffset() > 0, F, "grain directory offset is 0");
    ByteBuffer gd = store.readMeta(h.gdOffset() * 512, gdEntries * 4, "grain directory")
        .order(ByteOrder.LITTLE_ENDIAN);
    map.add(h.gdOffset() * 512, gdEntries * 4, "grain directory");
    int[] gte = new int[(int) totalGtes];
    for (int i = 0; i < gdEntries; i++) {
      long gtOff = (gd.getInt(i * 4) & 0xffffffffL) * 512;
      if (gtOff == 0) {
        continue;
      }
      long gtBytes = h.gtesPerGt() * 4L;
      map.add(gtOff, gtBytes, "grain table " + i);
      store.readMeta(gtOff, gtBytes, "grain table " + i).order(ByteOrder.LITTLE_ENDIAN)
          .asIntBuffer().get(gte, i * h.gtesPerGt(), h.gtesPerGt());
    }
    VmdkSparseDevice dev = new VmdkSparseDevice(store, h, gte);
    dev.vetGrains(map);
    return dev;
  }

  private static void checkDescriptor(VmdkDescriptor d) {
    if (!d.createType().equals("monolithicSparse") && !d.createType().equals("streamOptimized")) {
      throw FormatErrors.refused(F, "has createType '" + d.createType() + "' with an embedded"
          + " sparse extent; Ferry reads monolithicSparse, streamOptimized and monolithicFlat");
    }
    if (d.extents().size() != 1) {
      throw FormatErrors.refused(F, "has " + d.extents().size() + " extents: Ferry refuses"
          + " images that reference other files; convert it to a single-file vmdk first");
    }
  }

  private void vetGrains(MetadataMap map) throws IOException {
    long len = store.length();
    long used = (h.capacity() + h.grainSize() - 1) / h.grainSize();
    for (int i = 0; i < used; i++) {
      long sector = gte[i] & 0xffffffffL;
      if (sector == 0 || (sector == 1 && h.zeroGte())) {
        continue;
      }
      long off = sector * 512;
      long guest = (long) i * h.grainBytes();
      check(off < len, F, "grain for guest offset " + guest + " at " + off
          + " lies beyond the end of the file");
      long size = h.grainBytes();
      if (h.compressed()) {
        check(off <= len - 12, F, "compressed grain marker at " + off + " is cut short");
        int csize = store.readMeta(off, 12, "grain marker").order(ByteOrder.LITTLE_ENDIAN)
            .getInt(8);
        check(csize > 0 && csize <= 2 * h.grainBytes() + 1024 && off + 12 + csize <= len, F,
            "compressed grain at " + off + " of " + csize + " bytes is out of range");
        size = 12 + csize;
      }
      map.checkData(off, Math.min(size, len - off), guest);
    }
  }

  /**
   * Bytes from {@code offset} (in a grain at {@code sector}, {@code first} bytes of it wanted) in
   * uncompressed grains that follow each other on the host too, at most {@code max}: one read
   * instead of one per grain.
   */
  private int contiguousGrains(long offset, long sector, int first, int max) {
    long gb = h.grainBytes();
    long run = first;
    long grain = offset / gb + 1;
    long next = sector + gb / 512;
    while (run < max && grain < gte.length && (gte[(int) grain] & 0xffffffffL) == next
        && next > 1) {
      run += Math.min(gb, max - run);
      grain++;
      next += gb / 512;
    }
    return (int) run;
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    checkOpen();
    checkRange(offset, dst.remaining());
    int gb = (int) h.grainBytes();
    while (dst.hasRemaining()) {
      int in = (int) (offset % gb);
      int n = Math.min(dst.remaining(), gb - in);
      ByteBuffer part = dst.slice().limit(n);
      long sector = gte[(int) (offset / gb)] & 0xffffffffL;
      if (sector == 0 || (sector == 1 && h.zeroGte())) {
        Store.fillZeros(part);
      } else if (h.compressed()) {
        part.put(grain(sector * 512), in, n);
      } else {
        n = contiguousGrains(offset, sector, n, dst.remaining());
        part = dst.slice().limit(n);
        store.readData(sector * 512 + in, part);
      }
      dst.position(dst.position() + n);
      offset += n;
    }
  }

  private byte[] grain(long off) throws IOException {
    ByteBuffer m = store.readMeta(off, 12, "grain marker").order(ByteOrder.LITTLE_ENDIAN);
    int csize = m.getInt(8);
    check(csize > 0 && csize <= 2 * h.grainBytes() + 1024, F, "compressed grain size " + csize);
    ByteBuffer c = store.readMeta(off + 12, csize, "compressed grain");
    byte[] out = new byte[(int) h.grainBytes()];
    Inflater inf = new Inflater();
    try {
      inf.setInput(c.array(), 0, c.limit());
      int n = 0;
      while (n < out.length) {
        int r = inf.inflate(out, n, out.length - n);
        if (r == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) {
          break;
        }
        n += r;
      }
      return out;
    } catch (DataFormatException | RuntimeException e) {
      throw FormatErrors.corrupt(F, "compressed grain at " + off + " cannot be decompressed");
    } finally {
      inf.end();
    }
  }

  @Override
  public List<Extent> extents(long offset, long length) {
    checkOpen();
    checkRange(offset, length);
    ExtentBuilder out = new ExtentBuilder(offset, length);
    long gb = h.grainBytes();
    for (long g = offset / gb; g * gb < offset + length; g++) {
      long sector = gte[(int) g] & 0xffffffffL;
      if (sector > 1 || (sector == 1 && !h.zeroGte())) {
        out.add(g * gb, gb);
      }
    }
    return out.build();
  }
}
