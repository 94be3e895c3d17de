package io.ferry.copy;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.io.IOException;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a source to a destination the way QEMU's drive-mirror does: a full sync of the
 * allocated extents, merge passes over what was written meanwhile until little is dirty, a
 * final pass with the source frozen, then (if asked) verification with repair.
 *
 * <pre>
 *   SYNC ──▶ MERGE ×n ──▶ FINAL ──▶ VERIFY ──▶ DONE
 *   (extents)  (feed.next(false))  (feed.next(true))  (digest each chunk, recopy differing ones)
 * </pre>
 *
 * <p>Contract with the caller (the job layer):
 *
 * <ul>
 *   <li>The engine reads only from the feed's passes and writes only to the destination; it never
 *       deletes anything, and never closes the feed or the devices. The caller closes the feed
 *       (which releases the source's writers): when it serves the source itself it must first
 *       switch its writers to the destination, or writes made after the copy are lost.
 *   <li>Bandwidth is entirely the plan's {@link Throttle}: the caller owns the buckets (e.g.
 *       {@code Throttle.all(jobBucket, hostBucket)}) and changes a running job's cap with
 *       {@link TokenBucket#setRate}. The engine has no bandwidth setter of its own.
 *   <li>{@link CopyListener#checkpoint} is called only after the destination was flushed, at the
 *       end of every pass and about every second. Passing the last one to {@link #run} resumes.
 *       A resumed run always verifies (whatever the plan says): writes acknowledged after the
 *       last checkpoint and before a crash are known to no change feed and are found only by
 *       comparing both sides, then repaired by recopying the chunk.
 *   <li>{@link #cancel()} from any thread stops the run within about one chunk per worker;
 *       {@link #run} then throws {@link FerryException} with {@link Reason#CANCELLED}.
 * </ul>
 *
 * <p>One engine runs once. The chunk size is the unit of work and of the checkpoint bitmap; a
 * chunk is copied in requests of the size both devices prefer ({@link
 * BlockDevice#preferredRequestSize()}, a device without a preference counting as the chunk
 * size): 256 KiB between two files, whole chunks when RBD is involved. Memory: {@code
 * parallelism} direct buffers of that size.
 */
public final class CopyEngine {

  private static final Logger LOG = LoggerFactory.getLogger(CopyEngine.class);
  /** Verification rounds (compare, recopy differing chunks) before giving up with DATA_LOSS. */
  static final int MAX_VERIFY_ROUNDS = 4;

  private final CopyPlan plan;
  private final CopyListener listener;
  private final AtomicReference<Throwable> background = new AtomicReference<>();
  private final Object checkpointLock = new Object();
  private volatile boolean cancelled;
  private volatile boolean interrupted;
  private volatile PassState current;
  private volatile CopyPhase announced;
  private CopyStats stats;
  private long chunkSize;

  public CopyEngine(CopyPlan plan, CopyListener listener) {
    CopyPlans.validate(plan);
    this.plan = plan;
    this.listener = listener;
  }

  /** Stops the run as soon as possible; {@link #run} then throws CANCELLED. Thread-safe. */
  public void cancel() {
    cancelled = true;
  }

  /**
   * Runs the copy to the end, from {@code resumeFrom} (a checkpoint an earlier run emitted) or
   * from the start when it is null.
   */
  public CopyResult run(CopyCheckpoint resumeFrom) throws IOException, InterruptedException {
    long started = System.nanoTime();
    CopyCheckpoint from = resumeFrom == null ? CopyCheckpoint.initial(plan.chunkSize()) : resumeFrom;
    boolean resumed = isResume(resumeFrom);
    chunkSize = from.chunkSize() > 0 ? from.chunkSize() : plan.chunkSize();
    stats = new CopyStats(from.bytesCopied());
    Workers workers = new Workers(plan.parallelism(), this::stopping);
    if (resumed) {
      LOG.info("resuming copy to {} in {} (pass {})", plan.destination().describe(), from.phase(), from.pass());
    }
    try (Ticker ticker = new Ticker(this::tick)) {
      CopyRun run = new CopyRun(this, workers, from, resumed);
      return onOwnThread(() -> run.execute(started));
    } finally {
      workers.release(); // the run and its workers are over (onOwnThread waits for them)
    }
  }

  /**
   * Runs the phases on a thread of the engine's own, so that an interrupt of the caller's thread
   * never lands inside device I/O (an interrupt closes a FileChannel for every user). The
   * caller's interrupt stops the run like a cancel and is rethrown as InterruptedException.
   */
  private CopyResult onOwnThread(Callable<CopyResult> body) throws IOException, InterruptedException {
    FutureTask<CopyResult> task = new FutureTask<>(body);
    Thread t = new Thread(task, "ferry-copy-run");
    t.setDaemon(true);
    t.start();
    try {
      return task.get();
    } catch (InterruptedException e) {
      interrupted = true;
      joinUninterruptibly(t);
      throw e;
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    }
  }

  private static void joinUninterruptibly(Thread t) {
    boolean again = true;
    while (again) {
      try {
        t.join();
        again = false;
      } catch (InterruptedException ignored) {
        // keep waiting: the run must be over before the caller goes on
      }
    }
    Thread.currentThread().interrupt();
  }

  private static IOException unwrap(Throwable t) throws InterruptedException {
    if (t instanceof IOException e) {
      return e;
    }
    if (t instanceof InterruptedException e) {
      throw e;
    }
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IOException("copy failed: " + t, t);
  }

  private static boolean isResume(CopyCheckpoint c) {
    return c != null
        && (c.phase() != CopyPhase.SYNC || !c.syncedChunks().isEmpty() || c.bytesCopied() > 0);
  }

  // ---- used by CopyRun ------------------------------------------------------------------------

  CopyPlan plan() {
    return plan;
  }

  CopyStats stats() {
    return stats;
  }

  long chunkSize() {
    return chunkSize;
  }

  boolean stopping() {
    return cancelled || interrupted || background.get() != null;
  }

  /** Throws why the run is stopping, if it is. */
  void checkStopped() throws IOException {
    Throwable t = background.get();
    if (t instanceof IOException e) {
      throw e;
    }
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t != null) {
      throw new IOException("copy to " + plan.destination().describe() + " failed: " + t, t);
    }
    if (interrupted) {
      throw new FerryException(Reason.CANCELLED, "copy to " + plan.destination().describe()
          + " stopped: the calling thread was interrupted");
    }
    if (cancelled) {
      throw new FerryException(
          Reason.CANCELLED,
          "copy to " + plan.destination().describe()
              + " was cancelled; the destination is incomplete and must be discarded");
    }
  }

  /** Announces {@code phase} to the listener once, when it first begins. */
  void enter(CopyPhase phase, int pass, long total, long alreadyDone) {
    stats.enter(phase, pass, total, alreadyDone);
    if (announced != phase) {
      announced = phase;
      LOG.info("copy to {}: {}", plan.destination().describe(), phase);
      listener.phase(phase);
    }
  }

  void event(String kind, String message) {
    LOG.info("copy to {}: {}", plan.destination().describe(), message);
    listener.event(kind, message);
  }

  void setCurrent(PassState state) {
    current = state;
  }

  /** Flushes the destination, then reports what the current pass has durably done. */
  void checkpoint() throws IOException {
    synchronized (checkpointLock) {
      PassState st = current;
      if (st == null) {
        return;
      }
      long copied = stats.bytesCopied.get();
      BitSet synced = st.phase == CopyPhase.SYNC ? st.doneChunks() : new BitSet();
      List<Extent> pending =
          st.phase == CopyPhase.MERGE || st.phase == CopyPhase.FINAL
              ? Chunks.normalize(st.pending(), Long.MAX_VALUE)
              : List.of();
      var feedState = plan.feed().state();
      BlockDevice dest = plan.destination();
      dest.flush();
      listener.checkpoint(
          new CopyCheckpoint(st.phase, st.pass, chunkSize, synced, pending, copied, feedState));
    }
  }

  private long lastCheckpoint = System.nanoTime();

  /** Runs on the ticker thread about twice a second. */
  private void tick() {
    try {
      listener.progress(stats.progress(dirtyBytes()));
    } catch (RuntimeException e) {
      LOG.warn("copy to {}: progress report failed", plan.destination().describe(), e);
    }
    try {
      PassState st = current;
      long now = System.nanoTime();
      boolean copying = st != null && st.phase.compareTo(CopyPhase.FINAL) <= 0;
      if (copying && now - lastCheckpoint >= 1_000_000_000L && !stopping()) {
        lastCheckpoint = now;
        checkpoint();
      }
    } catch (IOException | RuntimeException e) {
      // a destination that cannot flush, or a job layer that cannot record: stop the run
      background.compareAndSet(null, e);
    }
  }

  private long dirtyBytes() {
    long feed = plan.feed().pendingBytes();
    CopyPhase phase = stats.phase();
    if (phase == CopyPhase.MERGE || phase == CopyPhase.FINAL) {
      return feed + Math.max(0, stats.phaseTotal.get() - stats.phaseDone.get());
    }
    return feed;
  }
}
