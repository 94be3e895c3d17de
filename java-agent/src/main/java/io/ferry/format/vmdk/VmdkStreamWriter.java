package io.ferry.format.vmdk;

import io.ferry.device.Extent;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.format.ExtentBuilder;
import io.ferry.format.ImageDevice;
import io.ferry.format.ImageFormat;
import io.ferry.format.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Writes a streamOptimized vmdk (what other clouds import): header and descriptor, then each
 * grain zlib-compressed behind a marker as soon as it is fully written, then at {@link #close}
 * the grain tables, grain directory, footer and end-of-stream marker.
 *
 * <p>Writes may come in any order and from several threads, for disjoint ranges; a grain is held
 * in memory until all of it was written (or zeroed), so memory grows with the number of grains
 * in flight. Writing again into a grain already emitted re-emits it (the old copy stays in the
 * file, unreferenced), so the copy engine's merge pass works, at a cost in size.
 * Reads see what was written. The image is complete only after {@link #close}; {@link #flush}
 * makes the grains emitted so far durable.
 */
public final class VmdkStreamWriter extends ImageDevice {

  static final ImageFormat F = ImageFormat.VMDK;
  static final long GRAIN_SECTORS = 128;
  static final long GRAIN = GRAIN_SECTORS * 512;
  static final long DESC_OFFSET = 1;
  static final long DESC_SECTORS = 20;
  static final long OVERHEAD = 128;

  private static final class Pending {
    final byte[] data;
    long filled;

    Pending(int size) {
      data = new byte[size];
    }
  }

  private final long capacity;
  private final int[] gte;
  private final BitSet emitted = new BitSet();
  private final TreeMap<Long, Pending> pending = new TreeMap<>();
  private final Object lock = new Object();
  private long cursor = OVERHEAD * 512;

  private VmdkStreamWriter(Store store, long size) {
    super(store, F, size, false);
    this.capacity = size / 512;
    long grains = (capacity + GRAIN_SECTORS - 1) / GRAIN_SECTORS;
    this.gte = new int[(int) Math.max(512, (grains + 511) / 512 * 512)];
  }

  public static VmdkStreamWriter create(Store store, long size) throws IOException {
    if (size < 0 || size % 512 != 0 || size / 512 > VmdkHeader.MAX_CAPACITY) {
      throw FerryException.invalid("size", "vmdk size " + size
          + " must be a multiple of 512 within range");
    }
    VmdkStreamWriter w = new VmdkStreamWriter(store, size);
    store.write(0, VmdkHeader.build(w.capacity, GRAIN_SECTORS, DESC_OFFSET, DESC_SECTORS,
        VmdkHeader.GD_AT_END, OVERHEAD));
    byte[] desc = VmdkDescriptor.streamOptimized(w.capacity, "disk.vmdk",
        ThreadLocalRandom.current().nextInt()).getBytes(StandardCharsets.US_ASCII);
    ByteBuffer d = ByteBuffer.allocate((int) (DESC_SECTORS * 512));
    d.put(desc).clear();
    store.write(DESC_OFFSET * 512, d);
    return w;
  }

  private int grainLength(long g) {
    return (int) Math.min(GRAIN, virtualSize - g * GRAIN);
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    checkOpen();
    checkRange(offset, src.remaining());
    while (src.hasRemaining()) {
      long g = offset / GRAIN;
      int in = (int) (offset % GRAIN);
      int n = (int) Math.min(src.remaining(), GRAIN - in);
      ByteBuffer part = src.slice().limit(n);
      accept(g, in, n, part);
      src.position(src.position() + n);
      offset += n;
    }
  }

  /** Adds {@code n} bytes (zeros when {@code data} is null) to grain {@code g}. */
  private void accept(long g, int in, int n, ByteBuffer data) throws IOException {
    byte[] full = null;
    synchronized (lock) {
      Pending p = emitted.get((int) g) ? reopen(g) : pending.computeIfAbsent(g,
          k -> new Pending(grainLength(k)));
      if (data != null) {
        data.get(p.data, in, n);
      } else {
        java.util.Arrays.fill(p.data, in, in + n, (byte) 0);
      }
      p.filled += n;
      if (p.filled >= p.data.length) {
        pending.remove(g);
        emitted.set((int) g);
        full = p.data;
      }
    }
    if (full != null) {
      emit(g, full);
    }
  }

  /**
   * A grain written again after it was emitted: its current content, complete, to be emitted
   * anew (the old copy stays in the file, unreferenced). Caller holds the lock.
   */
  private Pending reopen(long g) throws IOException {
    Pending p = new Pending(grainLength(g));
    p.filled = p.data.length;
    long at = (gte[(int) g] & 0xffffffffL) * 512;
    if (at != 0) {
      ByteBuffer m = store.readMeta(at, 12, "grain marker").order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer c = store.readMeta(at + 12, m.getInt(8), "grain");
      Inflater inf = new Inflater();
      try {
        inf.setInput(c.array(), 0, c.limit());
        inf.inflate(p.data);
      } catch (java.util.zip.DataFormatException e) {
        throw new FerryException(Reason.INTERNAL, describe() + ": cannot re-read grain " + g);
      } finally {
        inf.end();
      }
    }
    return p;
  }

  private void emit(long g, byte[] data) throws IOException {
    if (isZero(data)) {
      synchronized (lock) {
        gte[(int) g] = 0;
      }
      return;
    }
    byte[] packed = compress(data);
    ByteBuffer b = ByteBuffer.allocate((12 + packed.length + 511) / 512 * 512)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(g * GRAIN_SECTORS).putInt(packed.length).put(packed).clear();
    synchronized (lock) {
      long at = cursor;
      cursor += b.remaining();
      gte[(int) g] = (int) (at / 512);
      store.write(at, b);
    }
  }

  private static boolean isZero(byte[] data) {
    for (byte x : data) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static byte[] compress(byte[] data) {
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION);
    try {
      d.setInput(data);
      d.finish();
      byte[] out = new byte[data.length + data.length / 100 + 64];
      int n = 0;
      while (!d.finished()) {
        n += d.deflate(out, n, out.length - n);
      }
      return java.util.Arrays.copyOf(out, n);
    } finally {
      d.end();
    }
  }

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) throws IOException {
    checkOpen();
    checkRange(offset, length);
    long end = offset + length;
    while (offset < end) {
      long g = offset / GRAIN;
      int in = (int) (offset % GRAIN);
      int n = (int) Math.min(end - offset, GRAIN - in);
      accept(g, in, n, null);
      offset += n;
    }
  }

  /** Reads back what was written so far (the copy engine verifies its destination). */
  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    checkOpen();
    checkRange(offset, dst.remaining());
    while (dst.hasRemaining()) {
      long g = offset / GRAIN;
      int in = (int) (offset % GRAIN);
      int n = (int) Math.min(dst.remaining(), GRAIN - in);
      synchronized (lock) {
        Pending p = pending.get(g);
        byte[] data = p != null ? p.data : emitted.get((int) g) ? reopen(g).data : null;
        if (data == null) {
          dst.put(new byte[n]);
        } else {
          dst.put(data, in, n);
        }
      }
      offset += n;
    }
  }

  @Override
  public List<Extent> extents(long offset, long length) {
    checkOpen();
    checkRange(offset, length);
    ExtentBuilder out = new ExtentBuilder(offset, length);
    synchronized (lock) {
      for (long g = offset / GRAIN; g * GRAIN < offset + length; g++) {
        if (gte[(int) g] != 0 || pending.containsKey(g)) {
          out.add(g * GRAIN, GRAIN);
        }
      }
    }
    return out.build();
  }

  @Override
  public boolean canDeallocate() {
    return true;
  }

  @Override
  public void flush() throws IOException {
    store.flush();
  }

  /** Emits what is left, then grain tables, directory, footer and end-of-stream marker. */
  @Override
  protected void finish() throws IOException {
    List<Long> left;
    synchronized (lock) {
      left = List.copyOf(pending.keySet());
    }
    for (long g : left) {
      Pending p = pending.remove(g);
      emitted.set((int) g);
      emit(g, p.data);
    }
    int gts = gte.length / 512;
    int[] gd = new int[gts];
    long at = cursor;
    for (int i = 0; i < gts; i++) {
      store.write(at, marker(4, 1));
      ByteBuffer gt = ByteBuffer.allocate(2048).order(ByteOrder.LITTLE_ENDIAN);
      gt.asIntBuffer().put(gte, i * 512, 512);
      gd[i] = (int) (at / 512 + 1);
      store.write(at + 512, gt);
      at += 512 + 2048;
    }
    long gdSectors = (gts * 4L + 511) / 512;
    store.write(at, marker(gdSectors, 2));
    ByteBuffer gdb = ByteBuffer.allocate((int) (gdSectors * 512)).order(ByteOrder.LITTLE_ENDIAN);
    gdb.asIntBuffer().put(gd);
    long gdOffset = at / 512 + 1;
    store.write(at + 512, gdb);
    at += 512 + gdSectors * 512;
    store.write(at, marker(1, 3));
    store.write(at + 512, VmdkHeader.build(capacity, GRAIN_SECTORS, DESC_OFFSET, DESC_SECTORS,
        gdOffset, OVERHEAD));
    store.write(at + 1024, ByteBuffer.allocate(512));
    store.flush();
  }

  private static ByteBuffer marker(long value, int type) {
    ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(value).putInt(0).putInt(type);
    return b.clear();
  }
}
