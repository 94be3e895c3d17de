package io.ferry.copy;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The counters a run keeps and the progress snapshots made from them. */
final class CopyStats {

  private static final long RATE_WINDOW = TimeUnit.SECONDS.toNanos(3);

  final AtomicLong bytesCopied;
  final AtomicLong bytesWritten = new AtomicLong();
  final AtomicLong holeBytes = new AtomicLong();
  final AtomicLong regionsMerged = new AtomicLong();
  final AtomicLong bytesRepaired = new AtomicLong();
  final AtomicLong phaseDone = new AtomicLong();
  final AtomicLong phaseTotal = new AtomicLong();
  /** Bytes moved by this run in any phase (copy and verify reads): what the rate is made of. */
  final AtomicLong moved = new AtomicLong();
  private volatile CopyPhase phase = CopyPhase.SYNC;
  private volatile int pass;
  private final ArrayDeque<long[]> samples = new ArrayDeque<>();

  CopyStats(long bytesCopiedBefore) {
    this.bytesCopied = new AtomicLong(bytesCopiedBefore);
  }

  void enter(CopyPhase newPhase, int newPass, long total, long alreadyDone) {
    phase = newPhase;
    pass = newPass;
    phaseTotal.set(total);
    phaseDone.set(alreadyDone);
  }

  CopyPhase phase() {
    return phase;
  }

  int pass() {
    return pass;
  }

  /** A copy of {@code bytes} (data or detected zeros) reached the destination. */
  void copied(long bytes) {
    bytesCopied.addAndGet(bytes);
    bytesWritten.addAndGet(bytes);
    phaseDone.addAndGet(bytes);
    moved.addAndGet(bytes);
  }

  CopyProgress progress(long dirtyBytes) {
    return new CopyProgress(
        phase,
        pass,
        phaseDone.get(),
        phaseTotal.get(),
        dirtyBytes,
        rate(),
        bytesCopied.get(),
        bytesWritten.get(),
        holeBytes.get(),
        regionsMerged.get());
  }

  /** Bytes per second over the last few seconds. */
  synchronized long rate() {
    long now = System.nanoTime();
    long total = moved.get();
    samples.addLast(new long[] {now, total});
    while (samples.size() > 2 && now - samples.peekFirst()[0] > RATE_WINDOW) {
      samples.removeFirst();
    }
    long[] first = samples.peekFirst();
    long dt = now - first[0];
    return dt <= 0 ? 0 : (long) ((total - first[1]) * 1e9 / dt);
  }
}
