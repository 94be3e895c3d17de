package io.ferry.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

/**
 * Host budgets shared by all jobs: a job beyond them waits in QUEUED with a reason.
 *
 * @param maxConcurrentJobs jobs moving data at once
 * @param totalBandwidth bytes per second for all jobs together; 0: unlimited
 */
public record BudgetConfig(
    Integer maxConcurrentJobs,
    @JsonDeserialize(using = SizeDeserializers.Rate.class) Long totalBandwidth) {

  public static final int DEFAULT_MAX_CONCURRENT_JOBS = 2;

  public BudgetConfig {
    maxConcurrentJobs = maxConcurrentJobs == null ? DEFAULT_MAX_CONCURRENT_JOBS : maxConcurrentJobs;
    totalBandwidth = totalBandwidth == null ? 0L : totalBandwidth;
  }

  public static BudgetConfig defaults() {
    return new BudgetConfig(null, null);
  }
}
