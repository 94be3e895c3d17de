package io.ferry.virt;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Rates of a running mirror over a sliding window of block-job samples.
 *
 * <p>How the guest's dirty rate is measured: QEMU reports a mirror's progress as {@code cur}
 * (bytes copied) and {@code end} = cur + bytes dirty or in flight. A guest write to a clean
 * region adds it to the dirty bitmap and so grows {@code end}; rewriting a region that is still
 * dirty does not. The growth rate of {@code end} is therefore the rate at which the guest creates
 * new copy work, at the bitmap's granularity — exactly the figure that decides convergence: the
 * mirror converges only if {@code copyRate > dirtyRate}. The device's own write rate (block
 * stats {@code wr_bytes}) is reported beside it; it misses writes injected through the monitor
 * ({@code qemu-io}), which the tests use, and overstates the dirty rate for rewrites of dirty
 * regions. In write-blocking mode guest writes go to both disks at once and {@code end} no longer
 * grows for them: the dirty rate drops to about 0 by design.
 */
final class RateMeter {

  private record Sample(long nanos, long cur, long end, long written) {}

  private final long windowNanos;
  private final Deque<Sample> samples = new ArrayDeque<>();

  RateMeter(long windowMillis) {
    this.windowNanos = windowMillis * 1_000_000L;
  }

  /** Forgets the past: the copy restarted and cur/end started again from 0. */
  void reset() {
    samples.clear();
  }

  void add(long nanos, long cur, long end, long written) {
    Sample last = samples.peekLast();
    if (last != null && (cur < last.cur || end < last.end)) {
      samples.clear(); // a new job (restart) or QEMU recounted: rates from here on
    }
    samples.addLast(new Sample(nanos, cur, end, written));
    while (samples.size() > 2 && nanos - samples.peekFirst().nanos > windowNanos) {
      samples.removeFirst();
    }
  }

  long copyRate() {
    return rate(Sample::cur);
  }

  long dirtyRate() {
    return rate(Sample::end);
  }

  long guestWriteRate() {
    return rate(Sample::written);
  }

  /** Seconds to READY at the current net rate, or -1 if the mirror is not gaining. */
  long etaSeconds(long remaining) {
    if (remaining == 0) {
      return 0;
    }
    long net = copyRate() - dirtyRate();
    return net <= 0 ? -1 : Math.max(1, remaining / net);
  }

  private long rate(java.util.function.ToLongFunction<Sample> f) {
    if (samples.size() < 2) {
      return 0;
    }
    Sample a = samples.peekFirst();
    Sample b = samples.peekLast();
    long dt = b.nanos - a.nanos;
    if (dt <= 0) {
      return 0;
    }
    long d = f.applyAsLong(b) - f.applyAsLong(a);
    return d <= 0 ? 0 : (long) (d * 1e9 / dt);
  }
}
