package io.ferry.job;

import io.ferry.proto.v1.Budgets;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.ListJobsRequest;
import io.ferry.proto.v1.StartCopyRequest;
import io.ferry.proto.v1.StartLiveMirrorRequest;
import io.ferry.proto.v1.VerifyRequest;
import io.ferry.proto.v1.VerifyResponse;
import java.util.List;

/**
 * The agent's job layer as the API sees it. Requests arrive already checked for shape by the
 * server; semantic errors (unknown cluster, missing image, refused transition) are thrown as
 * {@link io.ferry.error.FerryException}.
 */
public interface JobService extends AutoCloseable {

  /** Starts (or, for a repeated request id, returns) a copy job. */
  Job startCopy(StartCopyRequest request);

  /** Starts (or returns) a live-mirror job. UNIMPLEMENTED until the virt layer is wired in. */
  Job startLiveMirror(StartLiveMirrorRequest request);

  Job get(String jobId);

  List<Job> list(ListJobsRequest filter);

  /**
   * Calls {@code watcher} with the job now and after every change; after a terminal state it
   * calls {@link JobWatcher#onEnd()}. Close the handle to stop watching.
   */
  AutoCloseable watch(String jobId, JobWatcher watcher);

  Job cancel(String jobId);

  Job setBandwidth(String jobId, long bytesPerSec);

  /**
   * Pivots a READY live-mirror job started without pivot (FAILED_PRECONDITION for other jobs
   * and states); returns the job as it is once the pivot is requested.
   */
  default Job pivot(String jobId) {
    throw new io.ferry.error.FerryException(io.ferry.error.Reason.UNIMPLEMENTED,
        "this agent's job service cannot pivot live mirrors");
  }

  VerifyResponse verify(VerifyRequest request);

  Budgets budgets();

  /** Stops running jobs at a checkpoint (they resume on the next start) and releases devices. */
  @Override
  void close();

  /** Receives a job's updates. */
  interface JobWatcher {
    void onUpdate(Job job);

    void onEnd();
  }
}
