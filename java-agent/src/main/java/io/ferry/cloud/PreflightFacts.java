package io.ferry.cloud;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the pre-flight checks look at, read from Cinder and Nova beforehand so that the
 * checks themselves are pure functions.
 *
 * @param servers the servers the volume is attached to, by id
 * @param targetType the volume type named by a TYPE target (empty when unknown or HOST target)
 * @param encryption the encryption spec of the volume's own type
 * @param computeServices nova-compute services by host, for the servers' hosts
 * @param volumeOwnType the volume's own type (empty when not found): Cinder's scheduler applies
 *     its volume_backend_name to os-migrate_volume too
 */
public record PreflightFacts(
    Volume volume,
    List<Attachment> attachments,
    Map<String, Server> servers,
    MoveTarget target,
    Optional<VolumeType> targetType,
    List<Pool> pools,
    List<ServiceStatus> volumeServices,
    Optional<Encryption> encryption,
    List<Snapshot> snapshots,
    Map<String, List<ServiceStatus>> computeServices,
    Optional<VolumeType> volumeOwnType) {}
