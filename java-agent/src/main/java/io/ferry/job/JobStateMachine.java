package io.ferry.job;

import static io.ferry.proto.v1.JobState.CANCELLED;
import static io.ferry.proto.v1.JobState.CANCELLING;
import static io.ferry.proto.v1.JobState.COMMITTING;
import static io.ferry.proto.v1.JobState.COMPLETED;
import static io.ferry.proto.v1.JobState.FAILED;
import static io.ferry.proto.v1.JobState.MERGING;
import static io.ferry.proto.v1.JobState.PIVOTING;
import static io.ferry.proto.v1.JobState.PREPARING;
import static io.ferry.proto.v1.JobState.QUEUED;
import static io.ferry.proto.v1.JobState.READY;
import static io.ferry.proto.v1.JobState.SYNCING;
import static io.ferry.proto.v1.JobState.VERIFYING;

import io.ferry.error.FerryException;
import io.ferry.proto.v1.JobState;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The job state machine as a table: which state may follow which. Every change of a job's state
 * goes through {@link JobStore#transition}, which checks it here, persists it (fsync), then
 * publishes it.
 *
 * <pre>
 *  copy:        QUEUED -> PREPARING -> SYNCING -> MERGING -> VERIFYING -> COMMITTING -> COMPLETED
 *                                                     |                       ^
 *                                                     +-----------------------+  (verify off)
 *  live mirror: QUEUED -> PREPARING -> SYNCING -> READY -> PIVOTING -> COMPLETED
 *
 *  resume:      PREPARING -> MERGING | VERIFYING | COMMITTING   (into the checkpoint's phase)
 *               PREPARING | SYNCING | MERGING | VERIFYING | COMMITTING -> QUEUED
 *                                                  (agent restarted: wait for a slot again)
 *  cancel:      QUEUED | PREPARING | SYNCING | MERGING | VERIFYING | READY
 *                   -> CANCELLING -> CANCELLED     (CANCELLING -> FAILED if cleanup fails)
 *  fail:        any unfinished state -> FAILED
 *
 *  COMPLETED, FAILED, CANCELLED are terminal: nothing follows them.
 * </pre>
 *
 * Cancelling only means "abandon the destination" (DESIGN.md rule 5): it never touches the
 * source. COMMITTING and PIVOTING cannot be cancelled: the destination is being made final (or
 * the guest switched), and abandoning it then would undo a finished copy.
 */
public final class JobStateMachine {

  private static final Map<JobState, Set<JobState>> TABLE = table();

  private JobStateMachine() {}

  private static Map<JobState, Set<JobState>> table() {
    Map<JobState, Set<JobState>> t = new EnumMap<>(JobState.class);
    t.put(QUEUED, EnumSet.of(PREPARING, CANCELLING, FAILED));
    t.put(PREPARING,
        EnumSet.of(SYNCING, MERGING, VERIFYING, COMMITTING, QUEUED, CANCELLING, FAILED));
    t.put(SYNCING, EnumSet.of(MERGING, READY, QUEUED, CANCELLING, FAILED));
    t.put(MERGING, EnumSet.of(VERIFYING, COMMITTING, QUEUED, CANCELLING, FAILED));
    t.put(VERIFYING, EnumSet.of(COMMITTING, QUEUED, CANCELLING, FAILED));
    t.put(COMMITTING, EnumSet.of(COMPLETED, QUEUED, FAILED));
    t.put(READY, EnumSet.of(PIVOTING, CANCELLING, FAILED));
    t.put(PIVOTING, EnumSet.of(COMPLETED, FAILED));
    t.put(CANCELLING, EnumSet.of(CANCELLED, FAILED));
    t.put(COMPLETED, EnumSet.noneOf(JobState.class));
    t.put(FAILED, EnumSet.noneOf(JobState.class));
    t.put(CANCELLED, EnumSet.noneOf(JobState.class));
    for (Map.Entry<JobState, Set<JobState>> e : t.entrySet()) {
      e.setValue(Collections.unmodifiableSet(e.getValue()));
    }
    return Collections.unmodifiableMap(t);
  }

  /** The states that may follow {@code from}; empty for terminal and unknown states. */
  public static Set<JobState> next(JobState from) {
    return TABLE.getOrDefault(from, Set.of());
  }

  /** Every state the table knows. */
  public static Set<JobState> states() {
    return TABLE.keySet();
  }

  public static boolean allowed(JobState from, JobState to) {
    return next(from).contains(to);
  }

  public static boolean isTerminal(JobState state) {
    return state == COMPLETED || state == FAILED || state == CANCELLED;
  }

  /**
   * Throws FAILED_PRECONDITION naming both states unless {@code from -> to} is in the table.
   *
   * @param verb what the caller tried, for the message: "cancel", "move"
   */
  public static void check(String jobId, JobState from, JobState to, String verb) {
    if (!allowed(from, to)) {
      throw FerryException.precondition("cannot " + verb + " job " + jobId + ": it is " + from
          + " (" + from + " -> " + to + " is not allowed)");
    }
  }
}
