package io.ferry.format.qcow2;

import io.ferry.format.FormatErrors;
import io.ferry.format.ImageFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The host ranges holding qcow2 metadata (header, L1, refcount table and blocks, L2 tables), so
 * that overlaps between them, and data clusters placed on top of them, are caught.
 */
final class Qcow2Layout {

  private record Range(long end, String name) {}

  private final TreeMap<Long, Range> ranges = new TreeMap<>();

  /** Records {@code [start, start+length)} as {@code name}; DATA_LOSS if it overlaps another. */
  void add(long start, long length, String name) {
    Map.Entry<Long, Range> hit = overlapping(start, length);
    if (hit != null) {
      throw FormatErrors.corrupt(ImageFormat.QCOW2, name + " at " + start + " overlaps "
          + hit.getValue().name() + " at " + hit.getKey());
    }
    ranges.put(start, new Range(start + length, name));
  }

  boolean contains(long start) {
    Range r = ranges.get(start);
    return r != null;
  }

  /** DATA_LOSS if the data range {@code [start, start+length)} lies on metadata. */
  void checkData(long start, long length, long guestOffset) {
    Map.Entry<Long, Range> hit = overlapping(start, length);
    if (hit != null) {
      throw FormatErrors.corrupt(ImageFormat.QCOW2, "data of guest offset " + guestOffset
          + " at host offset " + start + " overlaps " + hit.getValue().name());
    }
  }

  private Map.Entry<Long, Range> overlapping(long start, long length) {
    Map.Entry<Long, Range> below = ranges.floorEntry(start);
    if (below != null && below.getValue().end() > start) {
      return below;
    }
    Map.Entry<Long, Range> above = ranges.higherEntry(start);
    if (above != null && above.getKey() < start + length) {
      return above;
    }
    return null;
  }
}
