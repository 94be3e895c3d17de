package io.ferry.job;

import io.ferry.endpoint.Destination;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.JobState;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a job created, and nothing else: the destination if the job created it. The source
 * is never touched (DESIGN.md rule 1). Used by cancel, by failures, and at start for jobs found
 * CANCELLING in the journal.
 */
final class Abandoner {

  private static final Logger log = LoggerFactory.getLogger(Abandoner.class);

  private final RunContext ctx;

  Abandoner(RunContext ctx) {
    this.ctx = ctx;
  }

  /** Abandons the destination, then moves the job from CANCELLING to CANCELLED. */
  void finishCancel(JobEntry e, Destination open) {
    try {
      abandon(e, open);
      ctx.store().transition(e, JobState.CANCELLED, "destination abandoned; source untouched");
    } catch (RuntimeException ex) {
      log.error("job {}: cancelling failed: {}", e.id, ex.getMessage(), ex);
      try {
        ctx.store().transition(e, JobState.FAILED, "fail", ex.getMessage(),
            b -> b.setError(JobErrors.of(ex, e.job)));
      } catch (RuntimeException again) {
        log.error("job {}: could not record the failed cancel: {}", e.id, again.getMessage());
      }
    }
  }

  /**
   * Removes the destination if the job created it ({@code open} may be null), and whatever the
   * job's change feed may have left on the source after a crash (Ferry's own RBD snapshots).
   */
  void abandon(JobEntry e, Destination open) {
    removeFeedLeftovers(e);
    forgetOnline(e);
    try {
      if (open != null) {
        open.abandon();
      } else if (e.destinationCreated) {
        try (Destination d = ctx.resolver().reopen(e.job.getDestination(),
            e.job.getCopyOptions())) {
          d.abandon();
        } catch (FerryException nf) {
          if (nf.reason() != Reason.NOT_FOUND) {
            throw nf;
          }
        }
      }
    } catch (IOException | RuntimeException ex) {
      // What is left is named in the message; a retry of the same copy removes a leftover
      // part image before it creates its own.
      Reason reason = ex instanceof FerryException fe ? fe.reason() : Reason.UNAVAILABLE;
      throw new FerryException(reason, "could not remove what the job created at "
          + ctx.resolver().describe(e.job.getDestination()) + ": " + ex.getMessage()
          + "; a retry of the copy removes it first, or remove it by hand", ex);
    }
    if (e.destinationCreated) {
      synchronized (e.lock) {
        e.destinationCreated = false;
        e.checkpoint = null;
      }
      ctx.store().save(e);
    }
  }

  private void forgetOnline(JobEntry e) {
    OnlineConversions online = ctx.online().get();
    if (!e.job.getCopyOptions().getOnline() || online == null) {
      return;
    }
    try {
      online.discard(e.id);
    } catch (IOException | RuntimeException ex) {
      log.warn("job {}: could not remove its online conversion map: {}", e.id, ex.getMessage());
    }
  }

  private void removeFeedLeftovers(JobEntry e) {
    try {
      ctx.parts().feeds().cleanup(e.job.getSource(), e.job.getId());
    } catch (IOException | RuntimeException ex) {
      // The destination is still abandoned; the leftover is named ferry-<job id>-N on the source.
      log.warn("job {}: could not remove the change feed's temporary snapshots from {}: {}",
          e.id, ctx.resolver().describe(e.job.getSource()), ex.getMessage());
    }
  }
}
