package io.ferry.format.vmdk;

import static io.ferry.format.FormatErrors.check;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import io.ferry.format.FormatErrors;
import io.ferry.format.ImageDevice;
import io.ferry.format.ImageFormat;
import io.ferry.format.SiblingFiles;
import io.ferry.format.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A monolithicFlat vmdk: a text descriptor naming one FLAT extent, a raw file next to it. Only a
 * plain file name is followed ({@link SiblingFiles#checkName}), through the caller's
 * {@link SiblingFiles}, which keeps it inside the endpoint's root; anything else is refused.
 */
public final class VmdkFlatDevice extends ImageDevice {

  static final ImageFormat F = ImageFormat.VMDK;

  private final BlockDevice flat;
  private final long base;

  private VmdkFlatDevice(Store descriptor, BlockDevice flat, long base, long size,
      boolean readOnly) {
    super(descriptor, F, size, readOnly);
    this.flat = flat;
    this.base = base;
  }

  public static VmdkFlatDevice open(Store store, SiblingFiles siblings, boolean readOnly)
      throws IOException {
    check(store.length() <= VmdkDescriptor.MAX_BYTES, F, "descriptor file is too big");
    ByteBuffer b = store.readMeta(0, store.length(), "descriptor");
    VmdkDescriptor d = VmdkDescriptor.parse(b.array(), b.limit());
    if (!d.createType().equals("monolithicFlat") || d.extents().size() != 1
        || !d.extents().get(0).type().equals("FLAT") || d.extents().get(0).file() == null) {
      throw FormatErrors.refused(F, "descriptor has createType '" + d.createType() + "' with "
          + d.extents().size() + " extents; Ferry reads a descriptor file only as"
          + " monolithicFlat with one FLAT extent");
    }
    VmdkDescriptor.Extent e = d.extents().get(0);
    String name = SiblingFiles.checkName(e.file());
    check(e.sectors() >= 0 && e.sectors() <= VmdkHeader.MAX_CAPACITY && e.offset() >= 0
        && e.offset() <= VmdkHeader.MAX_CAPACITY, F, "flat extent size or offset out of range");
    BlockDevice flat = siblings.open(name, readOnly);
    long need = (e.offset() + e.sectors()) * 512;
    if (flat.size() < need) {
      long have = flat.size();
      flat.close();
      throw FormatErrors.corrupt(F, "flat extent '" + name + "' holds " + have
          + " bytes, the descriptor needs " + need);
    }
    return new VmdkFlatDevice(store, flat, e.offset() * 512, e.sectors() * 512, readOnly);
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    checkOpen();
    checkRange(offset, dst.remaining());
    flat.read(base + offset, dst);
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    checkOpen();
    checkWritable();
    checkRange(offset, src.remaining());
    flat.write(base + offset, src);
  }

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) throws IOException {
    checkOpen();
    checkWritable();
    checkRange(offset, length);
    flat.writeZeroes(base + offset, length, deallocate);
  }

  @Override
  public List<Extent> extents(long offset, long length) throws IOException {
    checkRange(offset, length);
    List<Extent> out = new ArrayList<>();
    for (Extent e : flat.extents(base + offset, length)) {
      out.add(new Extent(e.offset() - base, e.length()));
    }
    return out;
  }

  @Override
  public boolean canExtents() {
    return flat.canExtents();
  }

  @Override
  public boolean canDeallocate() {
    return flat.canDeallocate();
  }

  @Override
  public void flush() throws IOException {
    if (!readOnly) {
      flat.flush();
    }
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      flat.close();
    }
  }
}
