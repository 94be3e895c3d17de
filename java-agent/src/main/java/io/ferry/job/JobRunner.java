package io.ferry.job;

import io.ferry.copy.CopyCheckpoint;
import io.ferry.copy.CopyPhase;
import io.ferry.copy.CopyPlan;
import io.ferry.copy.CopyResult;
import io.ferry.copy.Throttle;
import io.ferry.device.BlockDevice;
import io.ferry.endpoint.Destination;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobError;
import io.ferry.proto.v1.JobState;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one copy job on its own thread: PREPARING (open the source, create or reopen the
 * destination), the engine's phases (SYNCING, MERGING, VERIFYING), then COMMITTING and
 * COMPLETED. It ends in one of three ways besides success: cancelled (abandon what the job
 * created, CANCELLED), failed (abandon, FAILED with a JobError), or stopped by the agent's
 * shutdown or a simulated crash (nothing more written: the job resumes at the next start).
 */
final class JobRunner implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
  private static final List<JobState> COPY_PATH = List.of(JobState.PREPARING, JobState.SYNCING,
      JobState.MERGING, JobState.VERIFYING, JobState.COMMITTING);

  private final JobEntry entry;
  private final RunContext ctx;
  private final EngineParts.RateLimiter ownLimit;
  private volatile EngineParts.Run run;
  private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
  private volatile boolean cancelRequested;
  private volatile boolean stopRequested;
  private volatile boolean crashed;
  private String snapshotBase;
  /** Set once the destination is committed: from then on nothing may abandon it. */
  private volatile boolean committed;

  JobRunner(JobEntry entry, RunContext ctx) {
    this.entry = entry;
    this.ctx = ctx;
    this.ownLimit = ctx.parts().rateLimiters()
        .create(entry.job.getCopyOptions().getBandwidthBytesPerSec());
  }

  /** The job was moved to CANCELLING: stop the copy; the runner abandons and ends CANCELLED. */
  void cancel() {
    cancelRequested = true;
    interruptRun();
  }

  /** The agent shuts down: stop without changing the job, which resumes at the next start. */
  void stop() {
    stopRequested = true;
    interruptRun();
  }

  void setBandwidth(long bytesPerSec) {
    ownLimit.setRate(bytesPerSec);
  }

  /** Waits until the runner is done with its job; false on timeout. */
  boolean await(long millis) throws InterruptedException {
    return finished.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  @Override
  public void run() {
    MDC.put("job", entry.id);
    Destination dest = null;
    BlockDevice source = null;
    OnlineRun online = null;
    try {
      ctx.store().transition(entry, JobState.PREPARING, "");
      CopyOptions options = entry.job.getCopyOptions();
      source = ctx.resolver().open(entry.job.getSource(), true, "source");
      dest = openDestination(source.size(), options);
      if (options.getCopySnapshots() && entry.checkpoint == null) {
        snapshotBase = new SnapshotCarrier(entry, ctx, Throttle.all(ownLimit, ctx.hostThrottle()),
            () -> cancelRequested || stopRequested || crashed).carry(dest);
      }
      if (options.getOnline()) {
        online = OnlineRun.start(entry, ctx, source, dest);
      }
      if (entry.checkpoint == null || entry.checkpoint.phase() != CopyPhase.DONE) {
        copy(source, dest, options, online);
      }
      if (online != null) {
        online.completed(); // before the source closes: nothing reads it any more
      }
      closeQuietly(source);
      source = null;
      commit(dest);
      if (online != null) {
        online.handOver(); // the export serves on and owns the destination from now
        online = null;
        dest = null;
      }
    } catch (Throwable t) {
      if (committed && !crashed && !causedBy(t, SimulatedCrash.class)) {
        if (online != null) {
          online.handOver();
          dest = null;
        }
        afterCommit(t);
      } else {
        if (online != null) {
          online.stop(); // the export stops before the destination may be abandoned
        }
        ending(t, dest);
      }
    } finally {
      closeQuietly(source);
      closeQuietly(dest);
      entry.runner = null;
      MDC.remove("job");
      if (!crashed) {
        ctx.onExit().accept(entry);
      }
      finished.countDown();
    }
  }

  private Destination openDestination(long size, CopyOptions options) throws IOException {
    Job job = entry.job;
    if (entry.destinationCreated) {
      return ctx.resolver().reopen(job.getDestination(), options);
    }
    if (!options.getCreateDestination()) {
      return ctx.resolver().existing(job.getDestination(), size);
    }
    Destination d = ctx.resolver().create(job.getDestination(), size, options, job.getSource());
    entry.destinationCreated = true;
    ctx.store().save(entry);
    return d;
  }

  private void copy(BlockDevice source, Destination dest, CopyOptions options, OnlineRun online)
      throws Exception {
    JobManagerConfig cfg = ctx.config();
    long chunk = options.getChunkSize() > 0 ? options.getChunkSize() : cfg.defaultChunkSize();
    if (entry.checkpoint != null && entry.checkpoint.chunkSize() > 0) {
      chunk = entry.checkpoint.chunkSize(); // the bitmap is in the first run's chunks
    }
    int parallelism = options.getParallelism() > 0 ? options.getParallelism()
        : cfg.defaultParallelism();
    // A resumed feed finds the base of its first pass in its recorded state. Online: the
    // source is held still and the engine writes around what clients wrote; it always verifies
    // (the destination is in use before the copy ends).
    try (var feed = online != null ? online.feed()
        : ctx.parts().feeds().create(entry.job.getSource(), source, entry.job.getId(),
            snapshotBase)) {
      CopyPlan plan = new CopyPlan(feed,
          online != null ? online.engineDestination() : dest.device(),
          Throttle.all(ownLimit, ctx.hostThrottle()), chunk, parallelism,
          !options.hasKeepSparse() || options.getKeepSparse(),
          online != null || !options.hasVerify() || options.getVerify(), chunk,
          cfg.maxMergePasses());
      run = ctx.parts().engines().create(plan, new Listener(this));
      if (cancelRequested || stopRequested) {
        throw new InterruptedException("stopped before the copy started");
      }
      CopyCheckpoint from = entry.checkpoint != null ? entry.checkpoint
          : CopyCheckpoint.initial(chunk);
      CopyResult result = run.run(from);
      finishCopy(result, chunk, from.bytesCopied());
    }
  }

  /** Records the outcome; {@code copiedBefore}: bytes copied by earlier runs (resume). */
  private void finishCopy(CopyResult r, long chunk, long copiedBefore) {
    CopyCheckpoint done = new CopyCheckpoint(CopyPhase.DONE, 0, chunk, new java.util.BitSet(),
        List.of(), r.bytesCopied(), java.util.Map.of());
    // The engine's last progress report may predate the end of the run (a small job can end
    // before the first tick): count this run's writes (copies and repairs) from the result,
    // and show the whole source as done.
    long written = Math.max(0, r.bytesCopied() - copiedBefore);
    ctx.store().publish(entry, b -> b.setProgress(b.getProgress().toBuilder()
        .setBytesTotal(r.sourceSize()).setBytesDone(r.sourceSize()).setRateBytesPerSec(0)
        .setBytesWritten(Math.max(b.getProgress().getBytesWritten(), written))
        .setBytesCopied(r.bytesCopied()).setHoleBytes(r.holeBytes())
        .setRegionsMerged(r.regionsMerged()).setDirtyBytes(0).setEtaSeconds(0)));
    ctx.store().checkpoint(entry, done, true);
    ctx.store().event(entry, "copy", "copied " + r.bytesCopied() + " bytes, kept " + r.holeBytes()
        + " bytes of holes, merged " + r.regionsMerged() + " regions in " + r.passes()
        + " passes" + (r.verified() ? ", verified equal" : "")
        + (r.bytesRepaired() > 0 ? " after repairing " + r.bytesRepaired() + " bytes" : ""));
  }

  private void commit(Destination dest) throws IOException {
    advanceTo(JobState.COMMITTING);
    hook(JobHooks.Point.BEFORE_COMMIT, CopyPhase.DONE);
    dest.commit();
    committed = true;
    hook(JobHooks.Point.AFTER_COMMIT, CopyPhase.DONE);
    String note = "";
    if (entry.job.getCopyOptions().getDeleteSource()) {
      note = deleteSource();
    }
    ctx.store().transition(entry, JobState.COMPLETED, note);
  }

  /** Deletes the source of a committed job; a failure is reported, never undoes the commit. */
  private String deleteSource() {
    try {
      ctx.resolver().delete(entry.job.getSource());
      ctx.store().event(entry, "source", "deleted the source after the destination was committed");
      return "";
    } catch (IOException | RuntimeException e) {
      log.error("job {}: committed, but the source could not be deleted: {}", entry.id,
          e.getMessage());
      return "destination committed, but the source could not be deleted (" + e.getMessage()
          + "); delete it by hand once you have checked the destination";
    }
  }

  /**
   * Something failed after the destination was committed, most likely a journal write. The
   * destination is the job's result now: it is never abandoned and the job is never FAILED. If
   * COMPLETED cannot be recorded, the job stays COMMITTING in the journal, and the next start
   * re-runs the idempotent commit and completes it.
   */
  private void afterCommit(Throwable t) {
    log.error("job {}: the destination is committed but recording it failed: {}", entry.id,
        t.getMessage(), t);
    try {
      if (entry.job.getState() != JobState.COMPLETED) {
        ctx.store().transition(entry, JobState.COMPLETED, "destination committed ("
            + "a first attempt to record it failed: " + t.getMessage() + ")");
      }
    } catch (RuntimeException again) {
      log.error("job {}: left COMMITTING; the agent completes it at its next start (the commit is"
          + " idempotent): {}", entry.id, again.getMessage());
    }
  }

  /** Moves to {@code target}, through the copy path's states in between if it skips some. */
  void advanceTo(JobState target) {
    JobState now = entry.job.getState();
    if (now == target) {
      return;
    }
    if (!JobStateMachine.allowed(now, target) && COPY_PATH.contains(now)
        && COPY_PATH.indexOf(target) > COPY_PATH.indexOf(now)) {
      for (int i = COPY_PATH.indexOf(now) + 1; i < COPY_PATH.indexOf(target); i++) {
        ctx.store().transition(entry, COPY_PATH.get(i), "");
      }
    }
    ctx.store().transition(entry, target, "");
  }

  /** Called by the listener: a test hook, and a crash stops everything written after it. */
  void hook(JobHooks.Point point, CopyPhase phase) {
    if (crashed) {
      throw new SimulatedCrash("(already crashed)");
    }
    try {
      ctx.hooks().at(entry.id, point, phase);
    } catch (SimulatedCrash c) {
      crashed = true;
      interruptRun();
      throw c;
    }
  }

  boolean crashed() {
    return crashed;
  }

  JobEntry entry() {
    return entry;
  }

  RunContext ctx() {
    return ctx;
  }

  long bandwidthLimit() {
    return entry.job.getCopyOptions().getBandwidthBytesPerSec();
  }

  private void ending(Throwable t, Destination dest) {
    Thread.interrupted(); // the engine may have been interrupted; the journal writes come next
    if (crashed || causedBy(t, SimulatedCrash.class)) {
      crashed = true;
      log.warn("job {}: runner stopped dead ({})", entry.id, t.getMessage());
    } else if (cancelRequested || entry.job.getState() == JobState.CANCELLING) {
      new Abandoner(ctx).finishCancel(entry, dest);
    } else if (stopRequested) {
      log.info("job {}: stopped at {} for agent shutdown; it resumes at the next start",
          entry.id, entry.job.getState());
    } else {
      fail(t, dest);
    }
  }

  private void fail(Throwable t, Destination dest) {
    JobError error = JobErrors.of(t, entry.job);
    log.error("job {} failed in {}: {}", entry.id, entry.job.getState(), error.getMessage(), t);
    try {
      new Abandoner(ctx).abandon(entry, dest);
    } catch (RuntimeException e) {
      // The job still ends FAILED (a job left in its running state would be waited for forever,
      // e.g. by Cinder), with the first error's code and what the cleanup left behind.
      log.error("job {}: cleanup after the failure failed: {}", entry.id, e.getMessage(), e);
      error = error.toBuilder().setMessage(error.getMessage() + "; then cleaning up failed: "
          + e.getMessage()).build();
    }
    JobError recorded = error;
    try {
      ctx.store().transition(entry, JobState.FAILED, "fail", recorded.getMessage(),
          b -> b.setError(recorded));
    } catch (RuntimeException e) {
      log.error("job {}: could not record the failure: {}", entry.id, e.getMessage());
    }
  }

  /**
   * Asks the engine to stop. The runner's thread is not interrupted: an interrupt would close the
   * journal's file channels in the middle of a write.
   */
  private void interruptRun() {
    EngineParts.Run r = run;
    if (r != null) {
      r.cancel();
    }
  }

  static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static void closeQuietly(Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException | RuntimeException e) {
        log.debug("close failed: {}", e.getMessage());
      }
    }
  }

}
