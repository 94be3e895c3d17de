package io.ferry.cloud;

import java.util.List;

/**
 * A Cinder volume as the admin sees it ({@code GET /volumes/{id}}, with the
 * {@code os-vol-host-attr} and {@code os-vol-mig-status-attr} fields).
 *
 * @param host "host@backend#pool" of the volume service that owns it
 * @param attachments the attachments whose attach_status is "attached" (Cinder lists only those)
 */
public record Volume(
    String id,
    String name,
    String status,
    long sizeGb,
    String host,
    String migrationStatus,
    String volumeType,
    String volumeTypeId,
    boolean multiattach,
    boolean encrypted,
    List<Attached> attachments,
    String updatedAt) {

  public Volume {
    attachments = List.copyOf(attachments);
  }

  /** One entry of the volume's {@code attachments} list. */
  public record Attached(String attachmentId, String serverId, String hostName) {}

  /** The "backend" part of host@backend#pool, e.g. "host@ceph-a". */
  public String backend() {
    return host == null ? null : host.split("#", 2)[0];
  }

  /** True while Cinder reports a migration under way (not none/error/success). */
  public boolean migrationInProgress() {
    return migrationStatus != null
        && (migrationStatus.equals("starting") || migrationStatus.equals("migrating")
            || migrationStatus.equals("completing") || migrationStatus.startsWith("target:"));
  }

  /** A copy with another status, migration status and host, for the in-memory test models. */
  public Volume with(String newStatus, String newMigrationStatus, String newHost) {
    return new Volume(id, name, newStatus, sizeGb, newHost, newMigrationStatus, volumeType,
        volumeTypeId, multiattach, encrypted, attachments, updatedAt);
  }
}
