package io.ferry.copy;

import io.ferry.device.Extent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A thread-safe set of dirty byte ranges, kept merged: overlapping and touching ranges become one.
 * Ranges are widened to {@code granularity} so that a storm of small random writes costs one
 * entry per granule at most. When the map holds more than {@link #MAX_RANGES} ranges anyway (a
 * guest writing all over a large disk) the granularity doubles and the ranges are widened again:
 * memory stays bounded (a few MiB) at the price of copying a little more.
 */
public final class DirtyMap {

  /** Ranges kept before the map coarsens itself (about 100 bytes each). */
  static final int MAX_RANGES = 32_768;

  private long granularity;
  private final TreeMap<Long, Long> ranges = new TreeMap<>(); // start -> end, disjoint, not touching
  private long bytes;

  /** @param granularity power of two, e.g. 64 KiB; 1 keeps exact byte ranges */
  public DirtyMap(long granularity) {
    if (granularity <= 0 || Long.bitCount(granularity) != 1) {
      throw new IllegalArgumentException("granularity must be a power of two, got " + granularity);
    }
    this.granularity = granularity;
  }

  /** Marks {@code [offset, offset+length)} dirty. */
  public synchronized void add(long offset, long length) {
    insert(offset, length);
    if (ranges.size() > MAX_RANGES) {
      coarsen();
    }
  }

  private void insert(long offset, long length) {
    if (length <= 0) {
      return;
    }
    long start = offset & -granularity;
    long end = roundUp(offset + length);
    Map.Entry<Long, Long> before = ranges.floorEntry(start);
    if (before != null && before.getValue() >= start) {
      start = before.getKey();
      end = Math.max(end, before.getValue());
      remove(before.getKey());
    }
    Map.Entry<Long, Long> next = ranges.ceilingEntry(start);
    while (next != null && next.getKey() <= end) {
      end = Math.max(end, next.getValue());
      remove(next.getKey());
      next = ranges.ceilingEntry(start);
    }
    ranges.put(start, end);
    bytes += end - start;
  }

  /** Doubles the granularity until the ranges fit again. */
  private void coarsen() {
    while (ranges.size() > MAX_RANGES / 2) {
      granularity *= 2;
      List<Extent> old = snapshot();
      ranges.clear();
      bytes = 0;
      for (Extent e : old) {
        insert(e.offset(), e.length());
      }
    }
  }

  /** The current granularity (grows when the map coarsens). */
  public synchronized long granularity() {
    return granularity;
  }

  public void addAll(List<Extent> extents) {
    for (Extent e : extents) {
      add(e.offset(), e.length());
    }
  }

  /** Returns every dirty range, sorted, and empties the map. */
  public synchronized List<Extent> drain() {
    List<Extent> out = snapshot();
    ranges.clear();
    bytes = 0;
    return out;
  }

  /** Every dirty range, sorted, without emptying the map. */
  public synchronized List<Extent> snapshot() {
    List<Extent> out = new ArrayList<>(ranges.size());
    ranges.forEach((s, e) -> out.add(new Extent(s, e - s)));
    return out;
  }

  /** Dirty bytes (after widening to the granularity). */
  public synchronized long bytes() {
    return bytes;
  }

  public synchronized boolean isEmpty() {
    return ranges.isEmpty();
  }

  private void remove(long start) {
    Long end = ranges.remove(start);
    bytes -= end - start;
  }

  private long roundUp(long value) {
    return (value + granularity - 1) & -granularity;
  }
}
