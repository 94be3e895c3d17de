package io.ferry.cloud;

/**
 * One volume of an evacuation and how far it got. Saved in the state file after every change.
 *
 * @param computeHost the compute host of the instance it is attached to, null when detached
 * @param note why it was skipped or failed, or empty
 */
public record PlannedMove(String volumeId, String name, long sizeGb, boolean attached,
    String serverId, String computeHost, String sourcePool, State state, String startedAt,
    String endedAt, String note, int attempts) {

  /** PENDING -> STARTED -> DONE | FAILED; SKIPPED when a pre-flight check fails. */
  public enum State { PENDING, STARTED, DONE, FAILED, SKIPPED }

  public PlannedMove with(State newState, String started, String ended, String newNote) {
    return new PlannedMove(volumeId, name, sizeGb, attached, serverId, computeHost, sourcePool,
        newState, started, ended, newNote, attempts);
  }

  public PlannedMove startedAt(String when) {
    return new PlannedMove(volumeId, name, sizeGb, attached, serverId, computeHost, sourcePool,
        State.STARTED, when, null, "", attempts + 1);
  }
}
