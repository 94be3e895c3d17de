package io.ferry.metrics;

import io.ferry.job.JobObserver;
import io.ferry.job.JobService;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.ListJobsRequest;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job metrics observed from the outside: {@link #refresh()} lists the jobs through {@link
 * JobService} (before every scrape, and periodically) and updates jobs by state, queue length and
 * the current rate per running job. Bytes copied and jobs failed by error code are counted from
 * every published change when the job layer offers a {@link JobObserver} ({@link #observer()});
 * otherwise from the differences between two refreshes (which misses a job that came and went
 * between them).
 */
public final class JobMetrics {

  private static final Logger log = LoggerFactory.getLogger(JobMetrics.class);

  private final JobService jobs;
  private final Metrics metrics;
  private final Map<JobState, AtomicLong> byState = new EnumMap<>(JobState.class);
  private final AtomicLong queued = new AtomicLong();
  private final MultiGauge rates;
  private final Map<String, Long> copiedSeen = new HashMap<>();
  private final Set<String> failedSeen = new HashSet<>();
  private boolean first = true;
  private volatile boolean observed;

  /** Builds the job metrics once the job layer exists. */
  @FunctionalInterface
  public interface Factory {
    JobMetrics create(JobService jobs);
  }

  public JobMetrics(JobService jobs, Metrics metrics) {
    this.jobs = jobs;
    this.metrics = metrics;
    for (JobState s : JobState.values()) {
      if (s != JobState.UNRECOGNIZED && s != JobState.JOB_STATE_UNSPECIFIED) {
        AtomicLong v = new AtomicLong();
        byState.put(s, v);
        Gauge.builder("ferry.jobs", v, AtomicLong::get).description("Jobs by state")
            .tag("state", s.name().toLowerCase()).register(metrics.registry());
      }
    }
    Gauge.builder("ferry.queue.length", queued, AtomicLong::get)
        .description("Jobs waiting for a host budget").register(metrics.registry());
    rates = MultiGauge.builder("ferry.job.rate").baseUnit("bytes_per_second")
        .description("Current copy rate of each running job").register(metrics.registry());
  }

  /** Reads the jobs and updates the meters; never throws (a scrape must not fail on it). */
  public synchronized void refresh() {
    List<Job> all;
    try {
      all = jobs.list(ListJobsRequest.getDefaultInstance());
    } catch (RuntimeException e) {
      log.warn("metrics: listing jobs failed: {}", e.toString());
      return;
    }
    Map<JobState, Long> counts = new EnumMap<>(JobState.class);
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (Job job : all) {
      counts.merge(job.getState(), 1L, Long::sum);
      if (isRunning(job.getState())) {
        rows.add(MultiGauge.Row.of(Tags.of("job", job.getId()),
            job.getProgress().getRateBytesPerSec()));
      }
      if (!observed) {
        countCopied(job);
        countFailure(job);
      }
    }
    byState.forEach((s, v) -> v.set(counts.getOrDefault(s, 0L)));
    queued.set(counts.getOrDefault(JobState.QUEUED, 0L));
    rates.register(rows, true);
    first = false;
  }

  private void countCopied(Job job) {
    long now = job.getProgress().getBytesCopied();
    Long before = copiedSeen.put(job.getId(), now);
    // Jobs found at the first refresh copied before this process counted; count from there.
    long base = before != null ? before : first ? now : 0;
    if (now > base) {
      metrics.bytesCopied(now - base);
    }
  }

  private void countFailure(Job job) {
    if (job.getState() == JobState.FAILED && failedSeen.add(job.getId()) && !first) {
      String code = job.getError().getCode().isEmpty() ? "UNKNOWN" : job.getError().getCode();
      metrics.error(code, "job");
    }
  }

  /**
   * An observer of every published job change that counts bytes copied and failures exactly; from
   * the first call on, refreshes stop counting them. Quick and lock-free, as observers must be.
   */
  public JobObserver observer() {
    observed = true;
    return (before, after) -> {
      if (before == null) {
        return; // created, or loaded from the journal: nothing happened yet in this process
      }
      long delta = after.getProgress().getBytesCopied() - before.getProgress().getBytesCopied();
      if (delta > 0) {
        metrics.bytesCopied(delta);
      }
      if (after.getState() == JobState.FAILED && before.getState() != JobState.FAILED) {
        String code = after.getError().getCode().isEmpty() ? "UNKNOWN" : after.getError().getCode();
        metrics.error(code, "job");
      }
    };
  }

  static boolean isRunning(JobState s) {
    return switch (s) {
      case PREPARING, SYNCING, MERGING, VERIFYING, COMMITTING, READY, PIVOTING, CANCELLING -> true;
      default -> false;
    };
  }
}
