package io.ferry.cloud;

import java.util.List;
import java.util.Optional;

/**
 * What Ferry's control plane asks of Cinder and Nova. The one implementation is
 * {@link OpenStackCloud}; the domain logic (checks, migration, evacuation, repair) only sees
 * this interface.
 */
public interface CloudApi {

  Volume volume(String id);

  /** Every volume of every project (admin), across pages. */
  List<Volume> volumes();

  /** Cinder's attachments API records of a volume (attaching/detaching ones included). */
  List<Attachment> attachments(String volumeId);

  List<Snapshot> snapshots(String volumeId);

  List<Pool> pools();

  List<ServiceStatus> volumeServices();

  List<VolumeType> volumeTypes();

  /** The encryption spec of a volume type, empty when the type is not encrypted. */
  Optional<Encryption> encryption(String volumeTypeId);

  Server server(String id);

  List<ServerVolume> serverVolumes(String serverId);

  List<ServiceStatus> computeServices(String host);

  // Actions. Every one is a POST /volumes/{id}/action with the body named after it.

  void migrate(String volumeId, String host, boolean forceHostCopy, boolean lockVolume);

  void retype(String volumeId, String newType, String migrationPolicy);

  void migrateCompletion(String volumeId, String newVolumeId, boolean error);

  void beginDetaching(String volumeId);

  void rollDetaching(String volumeId);

  /** os-reset_status; null fields are left out of the request (and so left unchanged). */
  void resetStatus(String volumeId, String status, String attachStatus, String migrationStatus);
}
