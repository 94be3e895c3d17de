package io.ferry.format.qcow2;

import io.ferry.format.FormatErrors;
import io.ferry.format.ImageFormat;
import io.ferry.format.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * 16-bit refcounts of a qcow2 image being written, and append-only cluster allocation. Refcount
 * blocks are read when first needed and written through a {@link #cut}. The
 * caller serialises calls, except {@link Cut#write}.
 */
final class Qcow2Refcounts {

  private final Qcow2Header h;
  private final Qcow2Tables t;
  private final Store store;
  private final int perBlock;
  private final Map<Integer, short[]> blocks = new HashMap<>();
  private final Set<Integer> dirty = new HashSet<>();
  private boolean reftableDirty;
  private long nextFree;

  Qcow2Refcounts(Qcow2Header h, Qcow2Tables t, Store store) {
    this.h = h;
    this.t = t;
    this.store = store;
    this.perBlock = h.clusterSize() / 2;
    this.nextFree = Qcow2Tables.roundUp(store.length(), h.clusterSize());
  }

  /** Allocates {@code n} contiguous clusters at the end of the file, refcount 1 each. */
  long allocate(int n) throws IOException {
    long at = nextFree;
    nextFree += (long) n * h.clusterSize();
    for (int i = 0; i < n; i++) {
      add((at >>> h.clusterBits()) + i, 1);
    }
    return at;
  }

  /** Adds {@code delta} to the refcount of host cluster {@code cluster}. */
  void add(long cluster, int delta) throws IOException {
    short[] block = block((int) (cluster / perBlock), true);
    int i = (int) (cluster % perBlock);
    int v = (block[i] & 0xffff) + delta;
    FormatErrors.check(v >= 0 && v <= 0xffff, ImageFormat.QCOW2,
        "refcount of host cluster " + cluster + " out of range");
    block[i] = (short) v;
    dirty.add((int) (cluster / perBlock));
  }

  /** Drops one reference from every host cluster a compressed entry touches. */
  void releaseCompressed(long e) throws IOException {
    long co = Qcow2Entry.compressedOffset(e, h.clusterBits()) & ~511L;
    long len = Qcow2Entry.compressedSize(e, h.clusterBits())
        + (Qcow2Entry.compressedOffset(e, h.clusterBits()) & 511);
    for (long c = co >>> h.clusterBits(); c <= (co + len - 1) >>> h.clusterBits(); c++) {
      add(c, -1);
    }
  }

  private short[] block(int index, boolean create) throws IOException {
    short[] b = blocks.get(index);
    if (b != null) {
      return b;
    }
    if (index >= t.reftable.length) {
      throw Qcow2Writer.full("the file outgrew its refcount table; write a new image");
    }
    long off = t.reftable[index] & ~0x1ffL;
    b = new short[perBlock];
    if (off != 0) {
      store.readMeta(off, h.clusterSize(), "refcount block").asShortBuffer().get(b);
      blocks.put(index, b);
      return b;
    }
    // A new refcount block lives at the end of the file and counts itself if it covers itself.
    long at = nextFree;
    nextFree += h.clusterSize();
    blocks.put(index, b);
    t.reftable[index] = at;
    reftableDirty = true;
    dirty.add(index);
    add(at >>> h.clusterBits(), 1);
    return b;
  }

  /**
   * A copy of the changed refcount blocks and refcount table, taken now (under the caller's
   * lock), to be written later without it; the dirty marks are cleared until {@link Cut#undo}.
   */
  Cut cut() {
    Map<Integer, short[]> copies = new HashMap<>();
    for (int index : dirty) {
      copies.put(index, blocks.get(index).clone());
    }
    dirty.clear();
    long[] table = reftableDirty ? t.reftable.clone() : null;
    reftableDirty = false;
    return new Cut(copies, table);
  }

  /** Refcount blocks and table as they were at {@link #cut}. */
  final class Cut {
    private final Map<Integer, short[]> copies;
    private final long[] table;

    private Cut(Map<Integer, short[]> copies, long[] table) {
      this.copies = copies;
      this.table = table;
    }

    /** Writes the copies (no store flush). */
    void write() throws IOException {
      for (Map.Entry<Integer, short[]> e : copies.entrySet()) {
        ByteBuffer b = ByteBuffer.allocate(h.clusterSize());
        b.asShortBuffer().put(e.getValue());
        long at = table != null ? table[e.getKey()] : t.reftable[e.getKey()];
        store.write(at, b);
      }
      if (table != null) {
        ByteBuffer b = ByteBuffer.allocate(table.length * 8);
        b.asLongBuffer().put(table);
        store.write(h.refcountTableOffset(), b);
      }
    }

    /** After a failed write: marks what the copies held dirty again. Caller holds the lock. */
    void undo() {
      dirty.addAll(copies.keySet());
      reftableDirty |= table != null;
    }
  }
}
