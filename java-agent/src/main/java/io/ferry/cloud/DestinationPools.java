package io.ferry.cloud;

import java.util.List;
import java.util.Optional;

/** Which of the scheduler's pools a move target can land on. */
final class DestinationPools {

  private DestinationPools() {}

  static List<Pool> resolve(MoveTarget target, Optional<VolumeType> type, List<Pool> pools) {
    if (target.kind() == MoveTarget.Kind.HOST) {
      return pools.stream().filter(p -> target.matchesPool(p.name())).toList();
    }
    if (type.isEmpty()) {
      return List.of();
    }
    String backendName = type.get().backendName();
    // A type without volume_backend_name can land anywhere the scheduler chooses; a spec with
    // an operator not known here (e.g. "<in> ceph-" is known) is left to the scheduler.
    return backendName == null ? pools
        : pools.stream().filter(p -> BackendNameSpec.admits(backendName, p.volumeBackendName())
            .orElse(true)).toList();
  }
}
