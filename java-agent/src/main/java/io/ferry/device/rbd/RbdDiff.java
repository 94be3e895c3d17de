package io.ferry.device.rbd;

import com.sun.jna.Pointer;
import io.ferry.device.Extent;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code rbd_diff_iterate2} run: collects the reported extents, clipped to the asked range,
 * merging neighbours. The callback object stays referenced by this instance while librbd may call
 * it.
 */
final class RbdDiff {

  private final long start;
  private final long end;
  private final List<Extent> extents = new ArrayList<>();
  private volatile RuntimeException failure;

  RbdDiff(long start, long end) {
    this.start = start;
    this.end = end;
  }

  void run(LibRbd lib, Pointer image, String target, String fromSnap, long offset, long length,
      boolean wholeObject) {
    if (length <= 0) {
      // Never ask librbd: Ceph 16 aborts the whole process (ceph_assert in DiffIterate.cc:341)
      // on a whole-object diff of an empty image, as `rbd du` of one shows.
      return;
    }
    LibRbd.DiffCallback callback = (off, len, exists, arg) -> accept(off, len);
    int rc = lib.rbd_diff_iterate2(image, fromSnap, offset, length, (byte) 1, (byte) (wholeObject ? 1 : 0), callback, null);
    if (failure != null) {
      throw failure;
    }
    RbdException.check("rbd_diff_iterate2", target + (fromSnap == null ? "" : " from @" + fromSnap), rc);
    java.lang.ref.Reference.reachabilityFence(callback);
  }

  private int accept(long off, long len) {
    try {
      add(off, len);
      return 0;
    } catch (RuntimeException e) {
      failure = e;
      return -1;
    }
  }

  /**
   * Adds [off, off+len) clipped to the range. librbd may call back from its own threads and in
   * any order: collect, then sort and merge in {@link #extents()}.
   */
  synchronized void add(long off, long len) {
    long s = Math.max(off, start);
    long e = Math.min(off + len, end);
    if (e > s) {
      extents.add(new Extent(s, e - s));
    }
  }

  synchronized List<Extent> extents() {
    List<Extent> out = new ArrayList<>(extents);
    out.sort((a, b) -> Long.compare(a.offset(), b.offset()));
    return mergeSorted(out);
  }

  private static List<Extent> mergeSorted(List<Extent> sorted) {
    List<Extent> out = new ArrayList<>();
    for (Extent x : sorted) {
      if (!out.isEmpty() && out.get(out.size() - 1).end() >= x.offset()) {
        Extent last = out.remove(out.size() - 1);
        out.add(new Extent(last.offset(), Math.max(last.end(), x.end()) - last.offset()));
      } else {
        out.add(x);
      }
    }
    return out;
  }
}
