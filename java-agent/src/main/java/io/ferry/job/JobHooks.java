package io.ferry.job;

import io.ferry.copy.CopyPhase;

/**
 * Named points in a job's run where tests inject faults, typically a {@link SimulatedCrash} to
 * stop the runner dead (no further journal write), as {@code kill -9} would.
 */
@FunctionalInterface
public interface JobHooks {

  JobHooks NONE = (jobId, point, phase) -> {};

  /** Where the runner is. */
  enum Point {
    /** The engine entered {@code phase}; the job's state was persisted. */
    PHASE,
    /** The engine reported progress in {@code phase}. */
    PROGRESS,
    /** A checkpoint reached the job (maybe not yet the journal). */
    CHECKPOINT,
    /** COMMITTING is persisted; the destination is not yet committed. */
    BEFORE_COMMIT,
    /** The destination is committed; COMPLETED is not yet persisted. */
    AFTER_COMMIT
  }

  void at(String jobId, Point point, CopyPhase phase);
}
