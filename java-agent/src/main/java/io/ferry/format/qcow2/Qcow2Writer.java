package io.ferry.format.qcow2;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.format.CreateOptions;
import io.ferry.format.FormatErrors;
import io.ferry.format.ImageFormat;
import io.ferry.format.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes into a qcow2 v3 image. Host clusters are allocated at the end of the file, under one
 * lock; writes into clusters already allocated go straight to the store, in parallel. New L2
 * tables and refcount blocks stay in memory until {@link #flush}, which writes refcounts first,
 * then L2 tables, then the L1 table, then flushes the store.
 */
final class Qcow2Writer {

  private final Qcow2Header h;
  private final Qcow2Tables t;
  private final Store store;
  private final Qcow2Refcounts refs;
  private final boolean compress;
  private final int cs;
  private final Object lock = new Object();
  /** Serialises flushes; taken before {@link #lock}, never inside it. */
  private final Object flushLock = new Object();
  private long compCursor;
  private boolean l1Dirty;

  private Qcow2Writer(Qcow2Header h, Qcow2Tables t, Store store, CreateOptions options)
      throws IOException {
    this.h = h;
    this.t = t;
    this.store = store;
    this.cs = h.clusterSize();
    this.refs = new Qcow2Refcounts(h, t, store);
    this.compress = options != null && options.compressed();
  }

  /** Whether Ferry can write into this image in place. */
  static boolean canWrite(Qcow2Header h) {
    return h.version() == 3 && h.refcountOrder() == 4 && h.nbSnapshots() == 0 && !h.extendedL2();
  }

  static Qcow2Writer forImage(Qcow2Header h, Qcow2Tables t, Store store, CreateOptions options)
      throws IOException {
    if (!canWrite(h)) {
      throw FormatErrors.refused(ImageFormat.QCOW2, "cannot be opened for writing by Ferry (it"
          + " writes only v3 images with 16-bit refcounts, no snapshots and no extended L2);"
          + " open it read-only or convert it");
    }
    return new Qcow2Writer(h, t, store, options);
  }

  void write(long offset, ByteBuffer src) throws IOException {
    while (src.hasRemaining()) {
      int in = (int) (offset & (cs - 1));
      int n = Math.min(src.remaining(), cs - in);
      long e = entry(offset);
      int whole = in == 0 && !compress ? newWholeClusters(offset, src.remaining()) : 0;
      if (whole > 0) {
        n = whole * cs;
        writeNewRun(offset, whole, src.slice().limit(n));
      } else if (plainData(e)) {
        store.write(Qcow2Entry.offset(e) + in, src.slice().limit(n));
      } else {
        writeNew(offset - in, in, src.slice().limit(n));
      }
      src.position(src.position() + n);
      offset += n;
    }
  }

  /** How many whole, never-allocated clusters {@code [guest, guest+bytes)} starts with. */
  private int newWholeClusters(long guest, int bytes) throws IOException {
    int n = 0;
    while ((long) (n + 1) * cs <= bytes && entry(guest + (long) n * cs) == 0) {
      n++;
    }
    return n;
  }

  /**
   * Writes {@code count} whole new clusters from {@code data} with one store write: host clusters
   * are reserved (refcounted) under the lock, the data is written outside it, and only then are
   * the L2 entries set, so that a flush never publishes an entry whose data is not yet written (a
   * crash in between only leaks the reserved clusters, as qemu-img check would report). Callers
   * write disjoint ranges, so no other writer touches these guest clusters meanwhile.
   */
  private void writeNewRun(long guest, int count, ByteBuffer data) throws IOException {
    long host;
    synchronized (lock) {
      host = refs.allocate(count);
    }
    store.write(host, data);
    synchronized (lock) {
      for (int i = 0; i < count; i++) {
        long at = guest + (long) i * cs;
        FormatErrors.check(entry(at) == 0, ImageFormat.QCOW2,
            "cluster at guest offset " + at + " was allocated by a concurrent overlapping write");
        setEntry(at, (host + (long) i * cs) | Qcow2Entry.COPIED);
      }
    }
  }

  private boolean plainData(long e) {
    return !Qcow2Entry.compressed(e) && Qcow2Entry.offset(e) != 0 && (e & Qcow2Entry.ZERO) == 0;
  }

  private long entry(long guest) throws IOException {
    long ci = guest >>> h.clusterBits();
    long[] l2 = t.l2((int) (ci >>> h.l2Bits()));
    return l2 == null ? 0 : l2[(int) (ci & ((1 << h.l2Bits()) - 1))];
  }

  /** A write into a cluster that is unallocated, zero or compressed: a new cluster. */
  private void writeNew(long cluster, int in, ByteBuffer part) throws IOException {
    byte[] packed = null;
    int packedLen = -1;
    if (compress && in == 0 && part.remaining() == cs) {
      byte[] raw = new byte[cs];
      part.duplicate().get(raw);
      packed = new byte[cs - 512];
      packedLen = Qcow2Compression.compress(h.compressionType(), raw, packed);
    }
    synchronized (lock) {
      long e = entry(cluster);
      if (plainData(e)) {
        store.write(Qcow2Entry.offset(e) + in, part);
        return;
      }
      if (packedLen > 0 && Qcow2Entry.offset(e) == 0 && !Qcow2Entry.compressed(e)) {
        setEntry(cluster, writeCompressed(packed, packedLen));
        return;
      }
      byte[] buf = new byte[cs];
      if (Qcow2Entry.compressed(e)) {
        byte[] old = readCompressed(e);
        Qcow2Compression.decompress(h.compressionType(), old, old.length, buf);
        refs.releaseCompressed(e);
      }
      part.duplicate().get(buf, in, part.remaining());
      // A zero cluster that keeps its host cluster (preallocated) is reused in place.
      boolean prealloc = !Qcow2Entry.compressed(e) && Qcow2Entry.offset(e) != 0;
      long host = prealloc ? Qcow2Entry.offset(e) : refs.allocate(1);
      store.write(host, ByteBuffer.wrap(buf));
      setEntry(cluster, host | Qcow2Entry.COPIED);
    }
  }

  private byte[] readCompressed(long e) throws IOException {
    long co = Qcow2Entry.compressedOffset(e, h.clusterBits());
    long len = Math.min(Qcow2Entry.compressedSize(e, h.clusterBits()), store.length() - co);
    ByteBuffer b = store.readMeta(co, len, "compressed cluster");
    return java.util.Arrays.copyOf(b.array(), b.limit());
  }

  private long writeCompressed(byte[] packed, int len) throws IOException {
    if (compCursor == 0 || (compCursor & (cs - 1)) + len > cs || (compCursor & (cs - 1)) == 0) {
      compCursor = refs.allocate(1);
    } else {
      refs.add(compCursor >>> h.clusterBits(), 1);
    }
    long at = compCursor;
    store.write(at, ByteBuffer.wrap(packed, 0, len));
    compCursor += len;
    return Qcow2Entry.compressedEntry(at, len, h.clusterBits());
  }

  /** Sets an L2 entry, allocating the L2 table if needed. Caller holds the lock. */
  private void setEntry(long guest, long value) throws IOException {
    long ci = guest >>> h.clusterBits();
    int l1Index = (int) (ci >>> h.l2Bits());
    t.dirtyL2.add(l1Index);
    long[] l2 = t.l2(l1Index);
    if (l2 == null) {
      l2 = new long[cs / 8];
      long host = refs.allocate(1);
      t.putL2(l1Index, l2);
      t.l1[l1Index] = host | Qcow2Entry.COPIED;
      l1Dirty = true;
    }
    l2[(int) (ci & ((1 << h.l2Bits()) - 1))] = value;
  }

  void writeZeroes(long offset, long length) throws IOException {
    long end = offset + length;
    while (offset < end) {
      int in = (int) (offset & (cs - 1));
      long n = Math.min(end - offset, cs - in);
      if (n == cs) {
        zeroCluster(offset);
      } else if (readsNonZero(entry(offset))) {
        writeZeroBytes(offset, (int) n);
      }
      offset += n;
    }
  }

  private boolean readsNonZero(long e) {
    return Qcow2Entry.compressed(e) || plainData(e);
  }

  private void zeroCluster(long guest) throws IOException {
    synchronized (lock) {
      long e = entry(guest);
      if (!readsNonZero(e)) {
        return;
      }
      if (Qcow2Entry.compressed(e)) {
        refs.releaseCompressed(e);
        setEntry(guest, Qcow2Entry.ZERO);
      } else {
        setEntry(guest, Qcow2Entry.offset(e) | Qcow2Entry.COPIED | Qcow2Entry.ZERO);
      }
    }
  }

  private void writeZeroBytes(long offset, int n) throws IOException {
    write(offset, ByteBuffer.allocate(n));
  }

  /**
   * Makes everything written so far durable. The tables are copied under the allocation lock
   * (a consistent cut: every L2 entry in it points at written data and counted clusters), then
   * written and flushed outside it, so that writers keep allocating during the two fsyncs.
   * Order on disk: data and refcounts, fsync, then L2 tables and L1, fsync.
   */
  void flush() throws IOException {
    synchronized (flushLock) {
      Qcow2Refcounts.Cut refCut;
      Map<Integer, long[]> l2Cut = new HashMap<>();
      long[] l1Cut = null;
      synchronized (lock) {
        refCut = refs.cut();
        for (Integer l1Index : t.dirtyL2.toArray(new Integer[0])) {
          l2Cut.put(l1Index, t.l2(l1Index).clone());
          t.flushingL2.add(l1Index); // kept in the cache until written
          t.dirtyL2.remove(l1Index);
        }
        if (l1Dirty) {
          l1Cut = t.l1.clone();
          l1Dirty = false;
        }
      }
      boolean written = false;
      try {
        refCut.write();
        store.flush(); // refcounts (and the data) before the tables that reference them
        for (Map.Entry<Integer, long[]> e : l2Cut.entrySet()) {
          ByteBuffer b = ByteBuffer.allocate(cs);
          b.asLongBuffer().put(e.getValue());
          store.write(Qcow2Entry.offset(l1Cut != null ? l1Cut[e.getKey()] : t.l1[e.getKey()]), b);
        }
        if (l1Cut != null) {
          ByteBuffer b = ByteBuffer.allocate(l1Cut.length * 8);
          b.asLongBuffer().put(l1Cut);
          store.write(h.l1Offset(), b);
        }
        store.flush();
        written = true;
      } finally {
        synchronized (lock) {
          if (!written) { // write them again at the next flush
            refCut.undo();
            // dirty again before no longer flushing: readers evict clean tables without this
            // lock, and a table in neither set would be dropped with mappings never written
            t.dirtyL2.addAll(l2Cut.keySet());
            l1Dirty |= l1Cut != null;
          }
          t.flushingL2.removeAll(l2Cut.keySet());
        }
      }
    }
  }

  static FerryException full(String what) {
    return new FerryException(Reason.RESOURCE_EXHAUSTED, "qcow2 image: " + what);
  }
}
