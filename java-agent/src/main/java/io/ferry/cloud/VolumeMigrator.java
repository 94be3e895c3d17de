package io.ferry.cloud;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a move through Cinder (os-migrate_volume for a host, os-retype with migration policy
 * on-demand for a type) and follows it to its end. Cinder does the moving: its driver (Ferry's,
 * for a detached volume) or its generic migration with Nova swap-volume (attached volume).
 */
public final class VolumeMigrator {

  private static final Logger LOG = LoggerFactory.getLogger(VolumeMigrator.class);
  /** Polls without a migration under way, after the start, before calling the move ended. */
  private static final int IDLE_POLLS_BEFORE_GIVING_UP = 3;

  private final CloudApi cloud;
  private final AgentJobs agents;
  private final Sleeper sleeper;
  private final Clock clock;
  private final Duration poll;

  public VolumeMigrator(CloudApi cloud, AgentJobs agents, Sleeper sleeper, Clock clock,
      Duration poll) {
    this.cloud = cloud;
    this.agents = agents;
    this.sleeper = sleeper;
    this.clock = clock;
    this.poll = poll;
  }

  /** Options of os-migrate_volume (ignored for a retype). */
  public record Options(boolean forceHostCopy, boolean lockVolume) {
    public static final Options DEFAULT = new Options(false, false);
  }

  public void start(String volumeId, MoveTarget target, Options opts) {
    LOG.info("starting move of volume {} to {}", volumeId, target);
    if (target.kind() == MoveTarget.Kind.HOST) {
      cloud.migrate(volumeId, target.value(), opts.forceHostCopy(), opts.lockVolume());
    } else {
      cloud.retype(volumeId, target.value(), "on-demand");
    }
  }

  /**
   * Polls until the move ends; calls {@code listener} at every poll. Returns DONE or FAILED
   * (IDLE when Cinder gave up without an error status, e.g. a retype the scheduler refused).
   */
  public MoveStatus follow(String volumeId, MoveTarget target, Duration timeout,
      Consumer<MigrationProgress> listener) {
    Instant start = clock.instant();
    int idle = 0;
    while (true) {
      Volume v = cloud.volume(volumeId);
      MoveStatus s = MoveStatus.of(v, target);
      Duration elapsed = Duration.between(start, clock.instant());
      listener.accept(new MigrationProgress(v, s, elapsed, agentJobs(v)));
      if (s == MoveStatus.DONE || s == MoveStatus.FAILED) {
        return s;
      }
      idle = s == MoveStatus.IDLE ? idle + 1 : 0;
      if (idle >= IDLE_POLLS_BEFORE_GIVING_UP) {
        return MoveStatus.IDLE;
      }
      if (!timeout.isZero() && elapsed.compareTo(timeout) > 0) {
        throw new FerryException(Reason.UNAVAILABLE, "volume " + volumeId + " still moving"
            + " after " + timeout.toSeconds() + "s (status " + v.status() + ", migration "
            + v.migrationStatus() + "): it goes on in Cinder; follow it with 'ferry migrate"
            + " --follow' or 'cinder show'");
      }
      sleeper.sleep(poll);
    }
  }

  private java.util.List<AgentJobs.AgentJob> agentJobs(Volume v) {
    try {
      return agents.jobsFor(v.id(), v.attachments().stream().map(Volume.Attached::serverId)
          .filter(java.util.Objects::nonNull).toList());
    } catch (RuntimeException e) {
      // Progress from the agents is a bonus: Cinder's view decides.
      LOG.debug("agent job listing failed: {}", e.getMessage());
      return java.util.List.of();
    }
  }
}
