package io.ferry.job;

import io.ferry.proto.v1.Job;

/**
 * Sees every published change of every job (metrics, logs). Called with the job's lock held, in
 * publication order: implementations must be quick and must not call back into the job layer.
 */
@FunctionalInterface
public interface JobObserver {

  /** {@code before} is null for a job just created or loaded from the journal. */
  void onChange(Job before, Job after);
}
