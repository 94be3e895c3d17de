package io.ferry.format.qcow2;

import static io.ferry.format.FormatErrors.check;

import io.ferry.format.ImageFormat;
import io.ferry.format.MetadataMap;
import io.ferry.format.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The L1 table and L2 tables of a qcow2 image, vetted as a whole at open: every table inside the
 * file, aligned, not overlapping another; every L2 entry well formed and pointing inside the file
 * and not onto metadata. L2 tables are then cached, within a memory bound.
 */
final class Qcow2Tables {

  static final ImageFormat F = ImageFormat.QCOW2;
  /** L2 tables kept in memory at once; beyond that the cache is dropped and re-read. */
  static final long L2_CACHE_BYTES = 64L << 20;

  final Qcow2Header h;
  final Store store;
  final long[] l1;
  final MetadataMap layout = new MetadataMap(ImageFormat.QCOW2);
  final long[] reftable;
  private final ConcurrentHashMap<Integer, long[]> l2Cache = new ConcurrentHashMap<>();

  Qcow2Tables(Qcow2Header h, Store store) throws IOException {
    this.h = h;
    this.store = store;
    this.l1 = readTable(h.l1Offset(), h.l1Size(), "L1 table");
    this.reftable = readTable(h.refcountTableOffset(),
        (h.refcountTableClusters() << h.clusterBits()) / 8, "refcount table");
  }

  private long[] readTable(long offset, int entries, String what) throws IOException {
    long[] t = new long[entries];
    if (entries > 0) {
      store.readMeta(offset, (long) entries * 8, what).asLongBuffer().get(t);
    }
    return t;
  }

  /** Number of L1 entries that cover the virtual size. */
  int usedL1() {
    long perL1 = 1L << (h.clusterBits() + h.l2Bits());
    return (int) ((h.size() + perL1 - 1) / perL1);
  }

  /** Vets every table and entry; call once at open, before any data is read. */
  void vet() throws IOException {
    long cs = h.clusterSize();
    layout.add(0, cs, "header");
    layout.add(h.l1Offset(), roundUp((long) h.l1Size() * 8, cs), "L1 table");
    layout.add(h.refcountTableOffset(), (long) h.refcountTableClusters() * cs, "refcount table");
    for (int i = 0; i < reftable.length; i++) {
      long e = reftable[i];
      if (e == 0) {
        continue;
      }
      check((e & Qcow2Entry.REFTABLE_RESERVED) == 0, F, "refcount table entry " + i
          + " is not cluster aligned");
      vetCluster(e, "refcount block " + i);
      layout.add(e, cs, "refcount block " + i);
    }
    Set<Long> l2s = new HashSet<>();
    for (int i = 0; i < usedL1(); i++) {
      long e = l1[i];
      check((e & Qcow2Entry.L1_RESERVED) == 0, F, "L1 entry " + i + " has reserved bits set");
      long off = Qcow2Entry.offset(e);
      if (off != 0 && l2s.add(off)) {
        vetCluster(off, "L2 table " + i);
        layout.add(off, cs, "L2 table " + i);
      }
    }
    Set<Long> vetted = new HashSet<>();
    for (int i = 0; i < usedL1(); i++) {
      long off = Qcow2Entry.offset(l1[i]);
      if (off != 0 && vetted.add(off)) {
        vetL2(i, readL2(off));
      }
    }
  }

  private void vetCluster(long off, String what) {
    check((off & (h.clusterSize() - 1)) == 0, F, what + " at " + off + " is not cluster aligned");
    check(off > 0 && off <= store.length() - h.clusterSize(), F, what + " at " + off
        + " lies beyond the end of the file (" + store.length() + " bytes)");
  }

  private void vetL2(int l1Index, long[] t) {
    int n = 1 << h.l2Bits();
    int stride = h.extendedL2() ? 2 : 1;
    long cs = h.clusterSize();
    for (int j = 0; j < n; j++) {
      long e = t[j * stride];
      long guest = ((long) l1Index << (h.clusterBits() + h.l2Bits())) + ((long) j << h.clusterBits());
      String where = "L2 entry for guest offset " + guest;
      if (Qcow2Entry.compressed(e)) {
        long co = Qcow2Entry.compressedOffset(e, h.clusterBits());
        check(co >= cs && co < store.length(), F, where + ": compressed data at " + co
            + " lies outside the file");
        layout.checkData(co, Math.min(Qcow2Entry.compressedSize(e, h.clusterBits()),
            store.length() - co), guest);
        check(!h.extendedL2() || t[j * 2 + 1] == 0, F, where + ": compressed cluster with"
            + " a subcluster bitmap");
        continue;
      }
      check((e & Qcow2Entry.L2_RESERVED) == 0, F, where + " has reserved bits set");
      long off = Qcow2Entry.offset(e);
      check((off & (cs - 1)) == 0, F, where + ": data offset " + off + " is not cluster aligned");
      if (off != 0) {
        check(off < store.length(), F, where + ": data at " + off + " lies beyond the end of"
            + " the file (" + store.length() + " bytes)");
        layout.checkData(off, Math.min(cs, store.length() - off), guest);
      }
      if (h.extendedL2()) {
        long bm = t[j * 2 + 1];
        check(((bm & (bm >>> 32)) & 0xffffffffL) == 0, F, where
            + ": a subcluster is marked both allocated and zero");
        check(off != 0 || (bm & 0xffffffffL) == 0, F, where
            + ": subclusters allocated without a host cluster");
      }
    }
  }

  /** The L2 table of {@code l1Index}, or null when that L1 entry is unallocated. */
  long[] l2(int l1Index) throws IOException {
    long off = Qcow2Entry.offset(l1[l1Index]);
    if (off == 0) {
      return null;
    }
    long[] t = l2Cache.get(l1Index);
    if (t == null) {
      t = readL2(off);
      if ((long) l2Cache.size() * h.clusterSize() >= L2_CACHE_BYTES) {
        evictClean();
      }
      long[] prev = l2Cache.putIfAbsent(l1Index, t);
      t = prev != null ? prev : t;
    }
    return t;
  }

  /** Puts a table in the cache (a new or modified one, owned by the writer). */
  void putL2(int l1Index, long[] t) {
    l2Cache.put(l1Index, t);
  }

  /** Drops cached tables, except those the writer has modified and not yet written. */
  void evictClean() {
    l2Cache.keySet().removeIf(k -> !dirtyL2.contains(k) && !flushingL2.contains(k));
  }

  /** L1 indexes whose L2 table the writer changed since its last flush. */
  final Set<Integer> dirtyL2 = ConcurrentHashMap.newKeySet();
  /** L1 indexes whose L2 table a flush is writing (the file may still hold the older one). */
  final Set<Integer> flushingL2 = ConcurrentHashMap.newKeySet();

  private long[] readL2(long off) throws IOException {
    ByteBuffer b = store.readMeta(off, h.clusterSize(), "L2 table");
    long[] t = new long[h.clusterSize() / 8];
    b.asLongBuffer().get(t);
    return t;
  }

  static long roundUp(long v, long align) {
    return (v + align - 1) / align * align;
  }
}
