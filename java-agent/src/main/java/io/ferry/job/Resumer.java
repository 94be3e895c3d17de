package io.ferry.job;

import io.ferry.journal.CheckpointCodec;
import io.ferry.journal.CorruptRecordException;
import io.ferry.journal.JobJournal;
import io.ferry.journal.proto.JobRecord;
import io.ferry.proto.v1.JobState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At agent start: loads the journal and picks every job up where it stopped. Finished jobs are
 * listed as they were ({@link Purger} drops them once they are old enough); a job found
 * CANCELLING finishes cancelling; any other unfinished job is
 * requeued with {@code progress.restarts} incremented and resumes from its checkpoint (a job
 * that was COMMITTING re-runs the idempotent commit).
 */
final class Resumer {

  private static final Logger log = LoggerFactory.getLogger(Resumer.class);

  private final RunContext ctx;
  private final Scheduler scheduler;
  private final CopyStarter starter;
  private final Executor executor;

  Resumer(RunContext ctx, Scheduler scheduler, CopyStarter starter, Executor executor) {
    this.ctx = ctx;
    this.scheduler = scheduler;
    this.starter = starter;
    this.executor = executor;
  }

  void resumeAll() {
    try {
      JobJournal journal = new JobJournal(ctx.config().journalDir());
      for (JobRecord r : journal.loadAll()) {
        resume(toEntry(r));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the job journal in "
          + ctx.config().journalDir() + ": " + e.getMessage(), e);
    }
  }

  private void resume(JobEntry e) {
    ctx.store().restore(e);
    starter.known(e);
    JobState state = e.job.getState();
    if (JobStateMachine.isTerminal(state)) {
      new ExportRestorer(ctx).restore(e); // a completed online conversion serves on
      return;
    }
    if (e.job.getKind() == io.ferry.proto.v1.JobKind.LIVE_MIRROR) {
      return; // QEMU holds its data: LiveMirrorJobs.reattachAll supervises it again
    }
    if (state == JobState.CANCELLING) {
      executor.execute(() -> new Abandoner(ctx).finishCancel(e, null));
      return;
    }
    if (state != JobState.QUEUED) {
      long at = e.checkpoint == null ? 0 : e.checkpoint.bytesCopied();
      int restarts = e.job.getProgress().getRestarts() + 1;
      ctx.store().transition(e, JobState.QUEUED, "requeue", "agent restarted in " + state,
          b -> b.setProgress(b.getProgress().toBuilder().setRestarts(restarts).setBytesWritten(0)
              .setRateBytesPerSec(0).setEtaSeconds(-1)));
      ctx.store().event(e, "resume", "resumed at " + at + " bytes");
      log.info("job {}: resuming ({} before the restart, {} bytes copied)", e.id, state, at);
    }
    scheduler.submit(e);
  }

  private static JobEntry toEntry(JobRecord r) {
    JobEntry e = new JobEntry(r.getJob());
    e.destinationCreated = r.getDestinationCreated();
    e.sourceSize = r.getSourceSize();
    e.requestDigest = r.getRequestDigest();
    e.savedIoLimits = r.hasSavedIoLimits() ? r.getSavedIoLimits() : null;
    if (r.hasCheckpoint()) {
      try {
        e.checkpoint = CheckpointCodec.fromProto(r.getCheckpoint());
      } catch (CorruptRecordException ex) {
        log.error("job {}: checkpoint unreadable ({}); it restarts from the beginning",
            e.id, ex.getMessage());
      }
    }
    return e;
  }

}
