package io.ferry.format;

import java.util.Map;
import java.util.TreeMap;

/**
 * The host ranges of an image holding metadata (headers, tables), so that overlaps between them,
 * and data placed on top of them, are caught as corruption.
 */
public final class MetadataMap {

  private final ImageFormat format;

  public MetadataMap(ImageFormat format) {
    this.format = format;
  }

  private record Range(long end, String name) {}

  private final TreeMap<Long, Range> ranges = new TreeMap<>();

  /** Records {@code [start, start+length)} as {@code name}; DATA_LOSS if it overlaps another. */
  public void add(long start, long length, String name) {
    Map.Entry<Long, Range> hit = overlapping(start, length);
    if (hit != null) {
      throw FormatErrors.corrupt(format, name + " at " + start + " overlaps "
          + hit.getValue().name() + " at " + hit.getKey());
    }
    ranges.put(start, new Range(start + length, name));
  }

  public boolean contains(long start) {
    Range r = ranges.get(start);
    return r != null;
  }

  /** DATA_LOSS if the data range {@code [start, start+length)} lies on metadata. */
  public void checkData(long start, long length, long guestOffset) {
    Map.Entry<Long, Range> hit = overlapping(start, length);
    if (hit != null) {
      throw FormatErrors.corrupt(format, "data of guest offset " + guestOffset
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
