package io.ferry.cloud;

import java.util.Set;

/** Where one volume's move stands, judged from a single read of the volume. */
public enum MoveStatus {
  /** Cinder reports a migration or retype under way. */
  IN_PROGRESS,
  /** The volume is on the target and Cinder reports no migration under way. */
  DONE,
  /** Cinder reports migration_status "error". */
  FAILED,
  /** Nothing under way and not on the target. */
  IDLE;

  private static final Set<String> BUSY = Set.of("retyping", "maintenance", "migrating");

  public static MoveStatus of(Volume v, MoveTarget target) {
    if (v.migrationInProgress() || BUSY.contains(v.status())) {
      return IN_PROGRESS;
    }
    if (onTarget(v, target)) {
      return DONE;
    }
    return "error".equals(v.migrationStatus()) ? FAILED : IDLE;
  }

  static boolean onTarget(Volume v, MoveTarget target) {
    return target.kind() == MoveTarget.Kind.HOST
        ? target.matchesPool(v.host())
        : target.value().equals(v.volumeType()) || target.value().equals(v.volumeTypeId());
  }
}
