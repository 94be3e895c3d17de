package io.ferry.job;

import com.google.protobuf.ByteString;
import io.ferry.copy.CopyCheckpoint;
import io.ferry.proto.v1.Job;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One job as the agent holds it in memory: the published {@link Job} plus what only the agent
 * needs (checkpoint, whether it created the destination). Fields are guarded by {@link #lock};
 * {@link JobStore} is the only writer.
 */
final class JobEntry {

  final String id;
  final Object lock = new Object();
  final List<JobService.JobWatcher> watchers = new CopyOnWriteArrayList<>();

  /** The latest published state of the job. */
  volatile Job job;

  /** What the copy has durably done; null before the first checkpoint. */
  CopyCheckpoint checkpoint;

  boolean destinationCreated;
  long sourceSize;
  ByteString requestDigest = ByteString.EMPTY;

  /**
   * Live mirror: the guest's I/O limits saved before a convergence throttle (journaled before the
   * throttle is applied, so a restarted agent restores them); null when no throttle is in force.
   */
  io.ferry.journal.proto.IoLimits savedIoLimits;

  /** When the checkpoint was last written to the journal (nanoTime). */
  long checkpointSavedAt;

  /** The runner working on the job; null while queued or finished. */
  volatile JobRunner runner;

  /** A live mirror's supervisor (live-mirror jobs only); null when finished. */
  volatile LiveMirrorRunner mirror;

  JobEntry(Job job) {
    this.id = job.getId();
    this.job = job;
  }
}
