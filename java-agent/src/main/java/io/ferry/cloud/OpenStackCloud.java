package io.ferry.cloud;

import static io.ferry.cloud.CinderApi.nonNull;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link CloudApi} over Cinder v3 and Nova, authenticated by Keystone through openstack4j. */
public final class OpenStackCloud implements CloudApi {

  private final CinderApi cinder;
  private final NovaApi nova;

  public OpenStackCloud(SessionSource sessions) {
    OpenStackHttp http = new OpenStackHttp(sessions);
    this.cinder = new CinderApi(http);
    this.nova = new NovaApi(http);
  }

  /** Logs in with the credentials (lazily, on the first call). */
  public static OpenStackCloud connect(CloudCredentials creds) {
    return new OpenStackCloud(new KeystoneLogin(creds, Clock.systemUTC()));
  }

  @Override
  public Volume volume(String id) {
    return cinder.volume(id);
  }

  @Override
  public List<Volume> volumes() {
    return cinder.volumes();
  }

  @Override
  public List<Attachment> attachments(String volumeId) {
    return cinder.attachments(volumeId);
  }

  @Override
  public List<Snapshot> snapshots(String volumeId) {
    return cinder.snapshots(volumeId);
  }

  @Override
  public List<Pool> pools() {
    return cinder.pools();
  }

  @Override
  public List<ServiceStatus> volumeServices() {
    return cinder.services();
  }

  @Override
  public List<VolumeType> volumeTypes() {
    return cinder.types();
  }

  @Override
  public Optional<Encryption> encryption(String volumeTypeId) {
    return cinder.encryption(volumeTypeId);
  }

  @Override
  public Server server(String id) {
    return nova.server(id);
  }

  @Override
  public List<ServerVolume> serverVolumes(String serverId) {
    return nova.volumeAttachments(serverId);
  }

  @Override
  public List<ServiceStatus> computeServices(String host) {
    return nova.computeServices(host);
  }

  @Override
  public void migrate(String volumeId, String host, boolean forceHostCopy, boolean lockVolume) {
    cinder.action(volumeId, "os-migrate_volume", nonNull("host", host,
        "force_host_copy", forceHostCopy, "lock_volume", lockVolume));
  }

  @Override
  public void retype(String volumeId, String newType, String migrationPolicy) {
    cinder.action(volumeId, "os-retype",
        nonNull("new_type", newType, "migration_policy", migrationPolicy));
  }

  @Override
  public void migrateCompletion(String volumeId, String newVolumeId, boolean error) {
    cinder.action(volumeId, "os-migrate_volume_completion",
        nonNull("new_volume", newVolumeId, "error", error));
  }

  @Override
  public void beginDetaching(String volumeId) {
    cinder.action(volumeId, "os-begin_detaching", Map.of());
  }

  @Override
  public void rollDetaching(String volumeId) {
    cinder.action(volumeId, "os-roll_detaching", Map.of());
  }

  @Override
  public void resetStatus(String volumeId, String status, String attachStatus,
      String migrationStatus) {
    cinder.action(volumeId, "os-reset_status", nonNull("status", status,
        "attach_status", attachStatus, "migration_status", migrationStatus));
  }
}
