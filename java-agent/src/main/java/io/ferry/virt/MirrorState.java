package io.ferry.virt;

/**
 * A live mirror's life:
 *
 * <pre>
 *   SYNCING --> READY --> PIVOTING --> COMPLETED
 *      |          |           |
 *      +----------+--> CANCELLING --> CANCELLED     (destination abandoned, guest on source)
 *      +----------+-----------+--> FAILED           (did not converge, job vanished, error)
 * </pre>
 */
public enum MirrorState {
  SYNCING,
  READY,
  PIVOTING,
  CANCELLING,
  COMPLETED,
  CANCELLED,
  FAILED;

  public boolean terminal() {
    return this == COMPLETED || this == CANCELLED || this == FAILED;
  }
}
