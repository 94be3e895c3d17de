package io.ferry.job;

import io.ferry.copy.CopyPlan;
import java.nio.file.Path;

/**
 * What the job layer takes from the agent's config.
 *
 * @param journalDir directory of the job journal (created if missing)
 * @param maxConcurrentJobs jobs running at once; others wait QUEUED; 0: no limit
 * @param totalBandwidth bytes/s all jobs share; 0: unlimited
 * @param defaultChunkSize bytes per request when a request leaves chunk_size 0
 * @param defaultParallelism requests in flight when a request leaves parallelism 0
 * @param maxMergePasses merge passes before the final pass whatever remains dirty
 * @param checkpointInterval least time between two checkpoint writes of one job
 */
public record JobManagerConfig(
    Path journalDir,
    int maxConcurrentJobs,
    long totalBandwidth,
    long defaultChunkSize,
    int defaultParallelism,
    int maxMergePasses,
    java.time.Duration checkpointInterval) {

  public static JobManagerConfig defaults(Path journalDir) {
    return new JobManagerConfig(journalDir, 2, 0, CopyPlan.DEFAULT_CHUNK,
        CopyPlan.DEFAULT_PARALLELISM, 8,
        java.time.Duration.ofSeconds(1));
  }

  public JobManagerConfig withMaxConcurrentJobs(int n) {
    return new JobManagerConfig(journalDir, n, totalBandwidth, defaultChunkSize,
        defaultParallelism, maxMergePasses, checkpointInterval);
  }

  public JobManagerConfig withTotalBandwidth(long bytesPerSec) {
    return new JobManagerConfig(journalDir, maxConcurrentJobs, bytesPerSec, defaultChunkSize,
        defaultParallelism, maxMergePasses, checkpointInterval);
  }

  public JobManagerConfig withDefaultChunkSize(long bytes) {
    return new JobManagerConfig(journalDir, maxConcurrentJobs, totalBandwidth, bytes,
        defaultParallelism, maxMergePasses, checkpointInterval);
  }

  public JobManagerConfig withCheckpointInterval(java.time.Duration interval) {
    return new JobManagerConfig(journalDir, maxConcurrentJobs, totalBandwidth, defaultChunkSize,
        defaultParallelism, maxMergePasses, interval);
  }
}
