package io.ferry.cloud;

/**
 * One call that restores a consistent volume state. Only os-reset_status and
 * os-roll_detaching: repair never deletes a volume, an attachment or data.
 */
public record RepairAction(Kind kind, String volumeId, String status, String migrationStatus) {

  public enum Kind { RESET_STATUS, ROLL_DETACHING }

  static RepairAction reset(String volumeId, String status, String migrationStatus) {
    return new RepairAction(Kind.RESET_STATUS, volumeId, status, migrationStatus);
  }

  static RepairAction rollDetaching(String volumeId) {
    return new RepairAction(Kind.ROLL_DETACHING, volumeId, null, null);
  }

  public void apply(CloudApi cloud) {
    switch (kind) {
      case RESET_STATUS -> cloud.resetStatus(volumeId, status, null, migrationStatus);
      case ROLL_DETACHING -> cloud.rollDetaching(volumeId);
    }
  }

  public String describe() {
    return switch (kind) {
      case ROLL_DETACHING -> "os-roll_detaching " + volumeId + " (status back to in-use)";
      case RESET_STATUS -> "os-reset_status " + volumeId
          + (status == null ? "" : " status=" + status)
          + (migrationStatus == null ? "" : " migration_status=" + migrationStatus);
    };
  }
}
