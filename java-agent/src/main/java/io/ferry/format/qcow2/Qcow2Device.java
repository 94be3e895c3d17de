package io.ferry.format.qcow2;

import io.ferry.device.Extent;
import io.ferry.format.ExtentBuilder;
import io.ferry.format.FormatErrors;
import io.ferry.format.ImageDevice;
import io.ferry.format.ImageFormat;
import io.ferry.format.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A qcow2 image (v2 or v3) as a block device: reads every cluster kind (normal, zero,
 * compressed with zlib or zstd, extended L2 subclusters); writes through {@link Qcow2Writer}
 * when opened writable. The whole image is vetted at open, before any guest data is read.
 */
public final class Qcow2Device extends ImageDevice {

  private final Qcow2Header h;
  private final Qcow2Tables tables;
  private final Qcow2Writer writer;

  private Qcow2Device(Store store, Qcow2Header h, Qcow2Tables tables, Qcow2Writer writer) {
    super(store, ImageFormat.QCOW2, h.size(), writer == null);
    this.h = h;
    this.tables = tables;
    this.writer = writer;
  }

  /**
   * Opens and vets the qcow2 image in {@code store}. An image Ferry cannot write in place (v2,
   * snapshots, extended L2, other refcount widths) opens read-only whatever is asked;
   * {@link #isReadOnly()} tells.
   */
  public static Qcow2Device open(Store store, boolean readOnly) throws IOException {
    Qcow2Header h = Qcow2Header.read(store);
    Qcow2Tables tables = new Qcow2Tables(h, store);
    tables.vet();
    boolean write = !readOnly && Qcow2Writer.canWrite(h);
    Qcow2Writer writer = write ? Qcow2Writer.forImage(h, tables, store, null) : null;
    return new Qcow2Device(store, h, tables, writer);
  }

  /** Opens an image just made by {@link Qcow2Creator}, writing with {@code options}. */
  static Qcow2Device openCreated(Store store, io.ferry.format.CreateOptions options) throws IOException {
    Qcow2Header h = Qcow2Header.read(store);
    Qcow2Tables tables = new Qcow2Tables(h, store);
    tables.vet();
    return new Qcow2Device(store, h, tables, Qcow2Writer.forImage(h, tables, store, options));
  }

  public Qcow2Header header() {
    return h;
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    checkOpen();
    checkRange(offset, dst.remaining());
    while (dst.hasRemaining()) {
      long inCluster = offset & (h.clusterSize() - 1);
      int n = (int) Math.min(dst.remaining(), h.clusterSize() - inCluster);
      long host = plainHost(offset);
      if (host != 0) {
        n = contiguousRun(offset, host, n, dst.remaining());
        ByteBuffer part = dst.slice().limit(n);
        store.readData(host + inCluster, part);
      } else {
        ByteBuffer part = dst.slice().limit(n);
        readInCluster(offset, part);
      }
      dst.position(dst.position() + n);
      offset += n;
    }
  }

  /**
   * The host offset of the cluster holding {@code offset} when it is plain allocated data (no
   * compression, no zero flag, no subclusters), else 0.
   */
  private long plainHost(long offset) throws IOException {
    if (h.extendedL2()) {
      return 0;
    }
    long clusterIndex = offset >>> h.clusterBits();
    long[] t = tables.l2((int) (clusterIndex >>> h.l2Bits()));
    if (t == null) {
      return 0;
    }
    long e = t[(int) (clusterIndex & ((1 << h.l2Bits()) - 1))];
    boolean zero = h.version() >= 3 && (e & Qcow2Entry.ZERO) != 0;
    return Qcow2Entry.compressed(e) || zero ? 0 : Qcow2Entry.offset(e);
  }

  /**
   * Bytes from {@code offset} (first cluster at {@code host}, {@code first} bytes of it wanted)
   * that lie in plain clusters following each other on the host too, at most {@code max}: one
   * read instead of one per cluster.
   */
  private int contiguousRun(long offset, long host, int first, int max) throws IOException {
    long cs = h.clusterSize();
    long run = first;
    long guest = (offset & -cs) + cs;
    long nextHost = host + cs;
    while (run < max && plainHost(guest) == nextHost) {
      run += Math.min(cs, max - run);
      guest += cs;
      nextHost += cs;
    }
    return (int) run;
  }

  private void readInCluster(long offset, ByteBuffer dst) throws IOException {
    int l2Size = 1 << h.l2Bits();
    long clusterIndex = offset >>> h.clusterBits();
    long[] t = tables.l2((int) (clusterIndex >>> h.l2Bits()));
    int j = (int) (clusterIndex & (l2Size - 1));
    int inCluster = (int) (offset & (h.clusterSize() - 1));
    long e = t == null ? 0 : t[h.extendedL2() ? 2 * j : j];
    if (Qcow2Entry.compressed(e)) {
      byte[] c = decompress(e);
      dst.put(c, inCluster, dst.remaining());
    } else if (h.extendedL2()) {
      readSubclusters(Qcow2Entry.offset(e), t == null ? 0 : t[2 * j + 1], inCluster, dst);
    } else if (Qcow2Entry.offset(e) == 0 || (h.version() >= 3 && (e & Qcow2Entry.ZERO) != 0)) {
      zero(dst);
    } else {
      store.readData(Qcow2Entry.offset(e) + inCluster, dst);
    }
  }

  private void readSubclusters(long host, long bitmap, int inCluster, ByteBuffer dst)
      throws IOException {
    int subBits = h.clusterBits() - 5;
    while (dst.hasRemaining()) {
      int sub = inCluster >>> subBits;
      int n = Math.min(dst.remaining(), ((sub + 1) << subBits) - inCluster);
      ByteBuffer part = dst.slice().limit(n);
      if ((bitmap & (1L << sub)) != 0) {
        store.readData(host + inCluster, part);
      } else {
        zero(part);
      }
      dst.position(dst.position() + n);
      inCluster += n;
    }
  }

  byte[] decompress(long e) throws IOException {
    long co = Qcow2Entry.compressedOffset(e, h.clusterBits());
    long len = Math.min(Qcow2Entry.compressedSize(e, h.clusterBits()), store.length() - co);
    FormatErrors.check(len > 0, format, "compressed cluster at " + co + " is empty");
    ByteBuffer in = store.readMeta(co, len, "compressed cluster");
    byte[] out = new byte[h.clusterSize()];
    Qcow2Compression.decompress(h.compressionType(), in.array(), in.limit(), out);
    return out;
  }

  private static void zero(ByteBuffer dst) {
    Store.fillZeros(dst);
  }

  @Override
  public List<Extent> extents(long offset, long length) throws IOException {
    checkOpen();
    checkRange(offset, length);
    ExtentBuilder out = new ExtentBuilder(offset, length);
    long cs = h.clusterSize();
    long end = offset + length;
    for (long c = offset & -cs; c < end; c += cs) {
      long clusterIndex = c >>> h.clusterBits();
      int l1Index = (int) (clusterIndex >>> h.l2Bits());
      long[] t = tables.l2(l1Index);
      if (t == null) {
        c = ((long) (l1Index + 1) << (h.clusterBits() + h.l2Bits())) - cs;
        continue;
      }
      int j = (int) (clusterIndex & ((1 << h.l2Bits()) - 1));
      addCluster(out, c, t, j);
    }
    return out.build();
  }

  private void addCluster(ExtentBuilder out, long c, long[] t, int j) {
    long cs = h.clusterSize();
    if (!h.extendedL2()) {
      long e = t[j];
      boolean zero = h.version() >= 3 && (e & Qcow2Entry.ZERO) != 0 && !Qcow2Entry.compressed(e);
      if (Qcow2Entry.compressed(e) || (Qcow2Entry.offset(e) != 0 && !zero)) {
        out.add(c, cs);
      }
      return;
    }
    if (Qcow2Entry.compressed(t[2 * j])) {
      out.add(c, cs);
      return;
    }
    long bitmap = t[2 * j + 1];
    long sub = cs >>> 5;
    for (int s = 0; s < 32; s++) {
      if ((bitmap & (1L << s)) != 0) {
        out.add(c + s * sub, sub);
      }
    }
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    checkOpen();
    checkWritable();
    checkRange(offset, src.remaining());
    writer.write(offset, src);
  }

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) throws IOException {
    checkOpen();
    checkWritable();
    checkRange(offset, length);
    writer.writeZeroes(offset, length);
  }

  @Override
  public boolean canDeallocate() {
    return !readOnly;
  }

  @Override
  public void flush() throws IOException {
    if (writer != null) {
      writer.flush();
    }
  }
}
