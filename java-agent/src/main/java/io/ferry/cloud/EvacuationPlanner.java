package io.ferry.cloud;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Lists the volumes of a source pool and turns them into {@link PlannedMove}s: attached or not,
 * the instance and its compute host, and SKIPPED (with the reason) when a pre-flight check
 * fails for that volume.
 */
public final class EvacuationPlanner {

  private final CloudApi cloud;
  private final Clock clock;

  public EvacuationPlanner(CloudApi cloud, Clock clock) {
    this.cloud = cloud;
    this.clock = clock;
  }

  public EvacuationState plan(String from, MoveTarget target) {
    MoveTarget source = MoveTarget.host(from);
    List<Volume> volumes = cloud.volumes().stream()
        .filter(v -> source.matchesPool(v.host()))
        .sorted(Comparator.comparing(Volume::id))
        .toList();
    PreflightGatherer gatherer = new PreflightGatherer(cloud, true);
    List<PlannedMove> moves = new ArrayList<>();
    for (Volume v : volumes) {
      moves.add(planOne(v, target, gatherer));
    }
    return new EvacuationState(from, target, clock.instant().toString(), moves);
  }

  /**
   * A retype whose type can land on the volume's own backend may be done by the driver in
   * place: the pool would not be emptied.
   */
  private static String sameBackend(Volume v, MoveTarget target, PreflightFacts f) {
    if (target.kind() != MoveTarget.Kind.TYPE) {
      return null;
    }
    boolean own = DestinationPools.resolve(target, f.targetType(), f.pools()).stream()
        .anyMatch(p -> p.backend().equals(v.backend()));
    return own ? "destination: type " + target.value() + " can stay on " + v.backend()
        + "; pick a type whose volume_backend_name is another backend" : null;
  }

  private static PlannedMove planOne(Volume v, MoveTarget target, PreflightGatherer gatherer) {
    PreflightFacts f = gatherer.gather(v.id(), target);
    AttachmentState att = AttachmentState.of(f.volume(), f.attachments());
    String serverId = att.instance();
    Server s = serverId == null ? null : f.servers().get(serverId);
    String computeHost = s == null ? null : s.computeHost();
    String failed = PreflightChecks.run(f).stream()
        .filter(r -> r.verdict() == CheckResult.Verdict.FAIL)
        .map(r -> r.name() + ": " + r.reason())
        .findFirst().orElse(sameBackend(v, target, f));
    PlannedMove.State state = failed == null ? PlannedMove.State.PENDING
        : PlannedMove.State.SKIPPED;
    return new PlannedMove(v.id(), v.name(), v.sizeGb(), att.attached(), serverId, computeHost,
        v.host(), state, null, null, failed == null ? "" : failed, 0);
  }
}
