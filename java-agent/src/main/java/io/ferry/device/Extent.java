package io.ferry.device;

/** A byte range {@code [offset, offset+length)}. */
public record Extent(long offset, long length) {

  public Extent {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("extent out of range: offset=" + offset + " length=" + length);
    }
  }

  public long end() {
    return offset + length;
  }

  public boolean overlaps(Extent other) {
    return offset < other.end() && other.offset < end();
  }

  @Override
  public String toString() {
    return "[" + offset + "+" + length + ")";
  }
}
