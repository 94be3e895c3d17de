package io.ferry.job;

import com.google.protobuf.Timestamp;
import io.ferry.copy.CopyCheckpoint;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.journal.CheckpointCodec;
import io.ferry.journal.JobJournal;
import io.ferry.journal.proto.JobRecord;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobEvent;
import io.ferry.proto.v1.JobState;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs of this agent and the one place their state changes: {@link #transition} checks the
 * move against {@link JobStateMachine}, writes the job to the journal (fsync) and only then
 * publishes it to watchers and observers. Progress updates are published without a journal write;
 * checkpoints are written at most once per interval (a second by default).
 */
final class JobStore {

  private static final Logger log = LoggerFactory.getLogger(JobStore.class);

  /** Events kept per job; the oldest are dropped first. */
  static final int MAX_EVENTS = 64;

  private final JobJournal journal;
  private final Clock clock;
  private final long checkpointIntervalNanos;
  private final Map<String, JobEntry> jobs = new ConcurrentHashMap<>();
  private final List<JobObserver> observers = new CopyOnWriteArrayList<>();

  JobStore(JobJournal journal, Clock clock, java.time.Duration checkpointInterval) {
    this.journal = journal;
    this.clock = clock;
    this.checkpointIntervalNanos = checkpointInterval.toNanos();
  }

  void addObserver(JobObserver observer) {
    observers.add(observer);
  }

  /** Persists a new job, then makes it visible. */
  void add(JobEntry entry) {
    synchronized (entry.lock) {
      persist(entry, entry.job);
      jobs.put(entry.id, entry);
      publishLocked(entry, null, entry.job);
    }
  }

  /** Registers a job loaded from the journal (already persisted). */
  void restore(JobEntry entry) {
    synchronized (entry.lock) {
      jobs.put(entry.id, entry);
      publishLocked(entry, null, entry.job);
    }
  }

  JobEntry get(String jobId) {
    JobEntry e = jobs.get(jobId);
    if (e == null) {
      throw FerryException.notFound("job '" + jobId + "' does not exist on this agent; "
          + "list jobs to see the ids it knows");
    }
    return e;
  }

  Collection<JobEntry> all() {
    return jobs.values();
  }

  /**
   * Moves the job to {@code to}: checks the table (FAILED_PRECONDITION naming both states),
   * persists, then publishes. {@code extra} may change other fields in the same step.
   */
  Job transition(JobEntry e, JobState to, String verb, String message,
      UnaryOperator<Job.Builder> extra) {
    synchronized (e.lock) {
      Job before = e.job;
      JobStateMachine.check(e.id, before.getState(), to, verb);
      Job.Builder b = extra.apply(before.toBuilder().setState(to));
      if (to != JobState.QUEUED) {
        b.clearQueuedReason();
      }
      Job after = withEvent(b, to, "state", before.getState() + " -> " + to
          + (message.isEmpty() ? "" : ": " + message));
      persist(e, after);
      e.job = after;
      publishLocked(e, before, after);
      log.info("job {}: {} -> {}{}", e.id, before.getState(), to,
          message.isEmpty() ? "" : " (" + message + ")");
      return after;
    }
  }

  Job transition(JobEntry e, JobState to, String message) {
    return transition(e, to, "move", message, b -> b);
  }

  /** Publishes a change that needs no journal write (progress, queued reason). */
  Job publish(JobEntry e, UnaryOperator<Job.Builder> change) {
    synchronized (e.lock) {
      Job before = e.job;
      Job after = change.apply(before.toBuilder()).setUpdated(now()).build();
      e.job = after;
      publishLocked(e, before, after);
      return after;
    }
  }

  /** Records an event, persists it and publishes it. */
  Job event(JobEntry e, String kind, String message) {
    return change(e, b -> b, kind, message);
  }

  /** Changes fields other than the state, records why, persists, then publishes. */
  Job change(JobEntry e, UnaryOperator<Job.Builder> change, String kind, String message) {
    synchronized (e.lock) {
      Job before = e.job;
      Job after = withEvent(change.apply(before.toBuilder()), before.getState(), kind, message);
      persist(e, after);
      e.job = after;
      publishLocked(e, before, after);
      return after;
    }
  }

  /**
   * Forgets a job: deletes it from the journal, then from the list. {@code stillOk} is checked
   * again under the job's lock (it may have changed since the caller looked); false: kept.
   */
  boolean remove(JobEntry e, java.util.function.Predicate<Job> stillOk) {
    synchronized (e.lock) {
      if (!stillOk.test(e.job) || jobs.get(e.id) != e) {
        return false;
      }
      try {
        journal.delete(e.id);
      } catch (IOException ex) {
        throw new FerryException(Reason.UNAVAILABLE, "cannot delete job " + e.id + " from the "
            + "journal in " + journal.directory() + ": " + ex.getMessage(), ex);
      }
      jobs.remove(e.id);
      return true;
    }
  }

  /** Keeps {@code cp} and writes it to the journal unless one was written within the interval. */
  void checkpoint(JobEntry e, CopyCheckpoint cp, boolean force) {
    synchronized (e.lock) {
      e.checkpoint = cp;
      long now = System.nanoTime();
      if (force || now - e.checkpointSavedAt >= checkpointIntervalNanos) {
        persist(e, e.job);
        e.checkpointSavedAt = now;
      }
    }
  }

  /** Writes the job as it is now (e.g. after changing entry fields). */
  void save(JobEntry e) {
    synchronized (e.lock) {
      persist(e, e.job);
    }
  }

  void addWatcher(JobEntry e, JobService.JobWatcher w) {
    synchronized (e.lock) {
      w.onUpdate(e.job);
      if (JobStateMachine.isTerminal(e.job.getState())) {
        w.onEnd();
      } else {
        e.watchers.add(w);
      }
    }
  }

  void removeWatcher(JobEntry e, JobService.JobWatcher w) {
    e.watchers.remove(w);
  }

  private void persist(JobEntry e, Job job) {
    JobRecord.Builder r = JobRecord.newBuilder()
        .setJob(job)
        .setDestinationCreated(e.destinationCreated)
        .setSourceSize(e.sourceSize)
        .setRequestDigest(e.requestDigest);
    if (e.checkpoint != null) {
      r.setCheckpoint(CheckpointCodec.toProto(e.checkpoint));
    }
    if (e.savedIoLimits != null) {
      r.setSavedIoLimits(e.savedIoLimits);
    }
    try {
      journal.save(r.build());
    } catch (IOException | RuntimeException ex) {
      throw new FerryException(Reason.UNAVAILABLE, "cannot write job " + e.id + " to the journal in "
          + journal.directory() + ": " + ex.getMessage() + "; check that disk's space and health",
          ex);
    }
  }

  private void publishLocked(JobEntry e, Job before, Job after) {
    for (JobObserver o : observers) {
      try {
        o.onChange(before, after);
      } catch (RuntimeException ex) {
        log.warn("job observer failed on job {}", e.id, ex);
      }
    }
    boolean end = JobStateMachine.isTerminal(after.getState());
    for (JobService.JobWatcher w : e.watchers) {
      try {
        w.onUpdate(after);
        if (end) {
          w.onEnd();
        }
      } catch (RuntimeException ex) {
        log.warn("watcher of job {} failed; dropping it", e.id, ex);
        e.watchers.remove(w);
      }
    }
    if (end) {
      e.watchers.clear();
    }
  }

  private Job withEvent(Job.Builder b, JobState state, String kind, String message) {
    Timestamp now = now();
    b.setUpdated(now).addEvents(JobEvent.newBuilder()
        .setTime(now).setState(state).setKind(kind).setMessage(message));
    while (b.getEventsCount() > MAX_EVENTS) {
      b.removeEvents(0);
    }
    return b.build();
  }

  Timestamp now() {
    Instant t = clock.instant();
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }
}
