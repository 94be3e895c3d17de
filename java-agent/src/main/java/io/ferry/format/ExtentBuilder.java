package io.ferry.format;

import io.ferry.device.Extent;
import java.util.ArrayList;
import java.util.List;

/** Collects ascending ranges, merging those that touch, clipped to a window. */
public final class ExtentBuilder {

  private final long start;
  private final long end;
  private final List<Extent> out = new ArrayList<>();
  private long curStart = -1;
  private long curEnd = -1;

  public ExtentBuilder(long offset, long length) {
    this.start = offset;
    this.end = offset + length;
  }

  /** Adds {@code [offset, offset+length)}; calls must come in ascending order. */
  public void add(long offset, long length) {
    long s = Math.max(offset, start);
    long e = Math.min(offset + length, end);
    if (e <= s) {
      return;
    }
    if (curEnd == s) {
      curEnd = e;
      return;
    }
    flushCurrent();
    curStart = s;
    curEnd = e;
  }

  public List<Extent> build() {
    flushCurrent();
    return out;
  }

  private void flushCurrent() {
    if (curStart >= 0 && curEnd > curStart) {
      out.add(new Extent(curStart, curEnd - curStart));
    }
    curStart = -1;
    curEnd = -1;
  }
}
