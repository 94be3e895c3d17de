package io.ferry.copy;

import io.ferry.device.Extent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Extent arithmetic and the split of extents into chunk-aligned work items. */
final class Chunks {

  /** The parts of some extents that fall in chunk {@code index}; the unit of work and of the bitmap. */
  record Task(long index, List<Extent> parts) {
    long bytes() {
      return total(parts);
    }
  }

  private Chunks() {}

  /** Sorted, merged (overlapping and touching joined) and clipped to {@code [0, size)}. */
  static List<Extent> normalize(List<Extent> extents, long size) {
    List<Extent> sorted = new ArrayList<>(extents);
    sorted.sort(Comparator.comparingLong(Extent::offset));
    List<Extent> out = new ArrayList<>();
    long start = -1;
    long end = -1;
    for (Extent e : sorted) {
      long s = Math.min(e.offset(), size);
      long t = Math.min(e.end(), size);
      if (t <= s) {
        continue;
      }
      if (start >= 0 && s <= end) {
        end = Math.max(end, t);
        continue;
      }
      if (start >= 0) {
        out.add(new Extent(start, end - start));
      }
      start = s;
      end = t;
    }
    if (start >= 0) {
      out.add(new Extent(start, end - start));
    }
    return out;
  }

  /** The union of two extent lists, normalized. */
  static List<Extent> union(List<Extent> a, List<Extent> b, long size) {
    List<Extent> all = new ArrayList<>(a);
    all.addAll(b);
    return normalize(all, size);
  }

  /** The ranges of {@code [0, size)} not covered by normalized {@code extents}. */
  static List<Extent> complement(List<Extent> extents, long size) {
    List<Extent> out = new ArrayList<>();
    long pos = 0;
    for (Extent e : extents) {
      if (e.offset() > pos) {
        out.add(new Extent(pos, e.offset() - pos));
      }
      pos = Math.max(pos, e.end());
    }
    if (pos < size) {
      out.add(new Extent(pos, size - pos));
    }
    return out;
  }

  static long total(List<Extent> extents) {
    long sum = 0;
    for (Extent e : extents) {
      sum += e.length();
    }
    return sum;
  }

  /** Splits normalized extents at chunk boundaries and groups the pieces by chunk, in order. */
  static List<Task> split(List<Extent> extents, long chunkSize) {
    List<Task> tasks = new ArrayList<>();
    long current = -1;
    List<Extent> parts = null;
    for (Extent e : extents) {
      long pos = e.offset();
      while (pos < e.end()) {
        long index = pos / chunkSize;
        long stop = Math.min(e.end(), (index + 1) * chunkSize);
        if (index != current) {
          if (parts != null) {
            tasks.add(new Task(current, parts));
          }
          current = index;
          parts = new ArrayList<>(2);
        }
        parts.add(new Extent(pos, stop - pos));
        pos = stop;
      }
    }
    if (parts != null) {
      tasks.add(new Task(current, parts));
    }
    return tasks;
  }

  /** Whole chunks {@code indexes}, clipped to {@code size}, as tasks. */
  static List<Task> wholeChunks(List<Long> indexes, long chunkSize, long size) {
    List<Task> tasks = new ArrayList<>(indexes.size());
    for (long i : indexes) {
      long start = i * chunkSize;
      long end = Math.min(size, start + chunkSize);
      tasks.add(new Task(i, List.of(new Extent(start, end - start))));
    }
    return tasks;
  }
}
