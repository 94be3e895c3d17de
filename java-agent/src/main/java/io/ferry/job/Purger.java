package io.ferry.job;

import io.ferry.proto.v1.Job;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops finished jobs from the job list and the journal once they ended more than {@code keep}
 * ago (JobManagerConfig.keepFinished, the config's keep_finished_jobs). Runs once at agent start
 * and then every purgeEvery on the job manager's ticker. It never drops a job that is not in a
 * terminal state, one a runner or mirror supervisor still holds, nor one whose destination is
 * still needed ({@code inUse}: e.g. the NBD export of a completed online conversion, which is
 * restored from the job's record at the next start).
 */
final class Purger {

  private static final Logger log = LoggerFactory.getLogger(Purger.class);

  private final JobStore store;
  private final Duration keep;
  private final Predicate<String> inUse;
  private final Consumer<String> forget;

  /** @param inUse true for a job id whose destination something still serves or needs */
  Purger(JobStore store, Duration keep, Predicate<String> inUse) {
    this(store, keep, inUse, id -> {});
  }

  /** @param forget told each purged job id, to drop what else was kept for it (online files) */
  Purger(JobStore store, Duration keep, Predicate<String> inUse, Consumer<String> forget) {
    this.store = store;
    this.keep = keep;
    this.inUse = inUse;
    this.forget = forget;
  }

  /** One sweep; returns the ids it dropped. A job that cannot be dropped now is tried again. */
  List<String> purge() {
    long now = store.now().getSeconds();
    List<String> dropped = new ArrayList<>();
    for (JobEntry e : store.all()) {
      if (!expired(e.job, now) || e.runner != null || e.mirror != null || inUse.test(e.id)) {
        continue;
      }
      boolean removed;
      try {
        removed = store.remove(e, j -> expired(j, now));
      } catch (RuntimeException ex) { // one record that cannot go must not keep the others
        log.warn("job {}: cannot purge it now ({}); trying again at the next sweep", e.id,
            ex.getMessage());
        continue;
      }
      if (removed) {
        dropped.add(e.id);
        try {
          forget.accept(e.id);
        } catch (RuntimeException ex) {
          log.warn("job {}: purged, but forgetting its other files failed: {}", e.id,
              ex.getMessage());
        }
      }
    }
    if (!dropped.isEmpty()) {
      log.info("purged {} finished job(s) older than {}: {}", dropped.size(), keep, dropped);
    }
    return dropped;
  }

  /** For the scheduled sweep: a failure is logged and the next sweep tries again. */
  void purgeQuietly() {
    try {
      purge();
    } catch (RuntimeException e) {
      log.warn("purging finished jobs failed ({}); retrying at the next sweep", e.getMessage());
    }
  }

  private boolean expired(Job j, long nowSeconds) {
    return JobStateMachine.isTerminal(j.getState())
        && nowSeconds - j.getUpdated().getSeconds() > keep.toSeconds();
  }
}
