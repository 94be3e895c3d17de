package io.ferry.job;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Host budgets across jobs: at most {@code maxConcurrent} jobs run; the others wait in
 * arrival order, QUEUED, with a {@code queued_reason} saying why and where they stand. (The
 * bandwidth budget is a rate limiter every job's data passes; see {@link JobManager}.)
 */
final class Scheduler {

  private final int maxConcurrent;
  private final JobStore store;
  private final Consumer<JobEntry> launcher;
  private final Deque<JobEntry> queue = new ArrayDeque<>();
  private final Set<JobEntry> running = new LinkedHashSet<>();
  private boolean closed;
  // Read without the lock: budgets() may be called from observers that hold a job's lock.
  private volatile int runningCount;
  private volatile int queuedCount;

  /** {@code launcher} starts a job admitted to run; it must not block. */
  Scheduler(int maxConcurrent, JobStore store, Consumer<JobEntry> launcher) {
    this.maxConcurrent = maxConcurrent;
    this.store = store;
    this.launcher = launcher;
  }

  synchronized void submit(JobEntry e) {
    queue.add(e);
    pump();
  }

  /** A job stopped running (finished, failed, cancelled or stopped). */
  synchronized void finished(JobEntry e) {
    running.remove(e);
    pump();
  }

  /** Takes a job out of the queue (cancelled while waiting); false if it was not queued. */
  synchronized boolean dequeue(JobEntry e) {
    boolean removed = queue.remove(e);
    explain();
    return removed;
  }

  int runningCount() {
    return runningCount;
  }

  int queuedCount() {
    return queuedCount;
  }

  int maxConcurrent() {
    return maxConcurrent;
  }

  /** Admits nothing more. */
  synchronized void close() {
    closed = true;
  }

  private void pump() {
    while (!closed && !queue.isEmpty() && (maxConcurrent <= 0 || running.size() < maxConcurrent)) {
      JobEntry e = queue.poll();
      running.add(e);
      launcher.accept(e);
    }
    explain();
  }

  private void explain() {
    runningCount = running.size();
    queuedCount = queue.size();
    int position = 1;
    for (JobEntry e : queue) {
      String reason = "waiting for a job slot: " + running.size() + " of max_concurrent_jobs="
          + maxConcurrent + " running; position " + position++ + " in the queue";
      if (!reason.equals(e.job.getQueuedReason())) {
        store.publish(e, b -> b.setQueuedReason(reason));
      }
    }
  }
}
