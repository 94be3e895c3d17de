package io.ferry.cloud;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the {@link PreflightFacts} for one volume and target from Cinder and Nova. */
public final class PreflightGatherer {

  private final CloudApi cloud;
  private final boolean memoize;
  private List<Pool> pools;
  private List<ServiceStatus> services;
  private List<VolumeType> types;

  public PreflightGatherer(CloudApi cloud) {
    this(cloud, false);
  }

  /**
   * With {@code memoize}, pools, services and types are read once for all volumes (a fleet
   * scan); capacity then does not reflect moves made since.
   */
  public PreflightGatherer(CloudApi cloud, boolean memoize) {
    this.cloud = cloud;
    this.memoize = memoize;
  }

  public PreflightFacts gather(String volumeId, MoveTarget target) {
    Volume v = cloud.volume(volumeId);
    List<Attachment> records = cloud.attachments(volumeId);
    AttachmentState att = AttachmentState.of(v, records);
    Map<String, Server> servers = new HashMap<>();
    Map<String, List<ServiceStatus>> compute = new HashMap<>();
    for (String id : att.instances()) {
      Server s = cloud.server(id);
      servers.put(id, s);
      if (s.computeHost() != null) {
        compute.put(s.computeHost(), cloud.computeServices(s.computeHost()));
      }
    }
    if (!memoize || types == null) {
      types = cloud.volumeTypes();
      pools = cloud.pools();
      services = cloud.volumeServices();
    }
    Optional<VolumeType> targetType = target.kind() == MoveTarget.Kind.TYPE
        ? types.stream().filter(t -> t.name().equals(target.value())
            || t.id().equals(target.value())).findFirst()
        : Optional.empty();
    return new PreflightFacts(v, records, servers, target, targetType, pools,
        services, encryption(v, types), cloud.snapshots(volumeId), compute, ownType(v));
  }

  private Optional<VolumeType> ownType(Volume v) {
    return types.stream().filter(t -> t.id().equals(v.volumeTypeId())
        || (v.volumeTypeId() == null && t.name().equals(v.volumeType()))).findFirst();
  }

  private Optional<Encryption> encryption(Volume v, List<VolumeType> types) {
    if (!v.encrypted()) {
      return Optional.empty();
    }
    String typeId = v.volumeTypeId() != null ? v.volumeTypeId()
        : types.stream().filter(t -> t.name().equals(v.volumeType())).map(VolumeType::id)
            .findFirst().orElse(null);
    return typeId == null ? Optional.empty() : cloud.encryption(typeId);
  }
}
