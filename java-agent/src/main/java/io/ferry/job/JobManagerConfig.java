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
 * @param keepFinished how long a finished job stays listed and journaled after it ended
 * @param purgeEvery how often finished jobs older than {@code keepFinished} are purged while
 *     the agent runs (also once at start)
 */
public record JobManagerConfig(
    Path journalDir,
    int maxConcurrentJobs,
    long totalBandwidth,
    long defaultChunkSize,
    int defaultParallelism,
    int maxMergePasses,
    java.time.Duration checkpointInterval,
    java.time.Duration keepFinished,
    java.time.Duration purgeEvery) {

  public static final java.time.Duration DEFAULT_KEEP_FINISHED = java.time.Duration.ofDays(7);
  public static final java.time.Duration DEFAULT_PURGE_EVERY = java.time.Duration.ofHours(1);

  /** With the default retention (7 days, purged hourly). */
  public JobManagerConfig(Path journalDir, int maxConcurrentJobs, long totalBandwidth,
      long defaultChunkSize, int defaultParallelism, int maxMergePasses,
      java.time.Duration checkpointInterval) {
    this(journalDir, maxConcurrentJobs, totalBandwidth, defaultChunkSize, defaultParallelism,
        maxMergePasses, checkpointInterval, DEFAULT_KEEP_FINISHED, DEFAULT_PURGE_EVERY);
  }

  public JobManagerConfig withRetention(java.time.Duration keep, java.time.Duration every) {
    return new JobManagerConfig(journalDir, maxConcurrentJobs, totalBandwidth, defaultChunkSize,
        defaultParallelism, maxMergePasses, checkpointInterval, keep, every);
  }

  public static JobManagerConfig defaults(Path journalDir) {
    return new JobManagerConfig(journalDir, 2, 0, CopyPlan.DEFAULT_CHUNK,
        CopyPlan.DEFAULT_PARALLELISM, 8,
        java.time.Duration.ofSeconds(1));
  }

  public JobManagerConfig withMaxConcurrentJobs(int n) {
    return new JobManagerConfig(journalDir, n, totalBandwidth, defaultChunkSize,
        defaultParallelism, maxMergePasses, checkpointInterval, keepFinished, purgeEvery);
  }

  public JobManagerConfig withTotalBandwidth(long bytesPerSec) {
    return new JobManagerConfig(journalDir, maxConcurrentJobs, bytesPerSec, defaultChunkSize,
        defaultParallelism, maxMergePasses, checkpointInterval, keepFinished, purgeEvery);
  }

  public JobManagerConfig withDefaultChunkSize(long bytes) {
    return new JobManagerConfig(journalDir, maxConcurrentJobs, totalBandwidth, bytes,
        defaultParallelism, maxMergePasses, checkpointInterval, keepFinished, purgeEvery);
  }

  public JobManagerConfig withCheckpointInterval(java.time.Duration interval) {
    return new JobManagerConfig(journalDir, maxConcurrentJobs, totalBandwidth, defaultChunkSize,
        defaultParallelism, maxMergePasses, interval, keepFinished, purgeEvery);
  }
}
