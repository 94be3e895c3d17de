package io.ferry.cli;

import io.ferry.cloud.AgentJobs;
import io.ferry.cloud.CheckResult;
import io.ferry.cloud.CloudApi;
import io.ferry.cloud.MigrationProgress;
import io.ferry.cloud.MoveStatus;
import io.ferry.cloud.MoveTarget;
import io.ferry.cloud.PreflightChecks;
import io.ferry.cloud.PreflightGatherer;
import io.ferry.cloud.Sleeper;
import io.ferry.cloud.VolumeMigrator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry migrate VOLUME --to …}: runs the pre-flight checks, starts os-migrate_volume
 * (pool) or os-retype --migration-policy on-demand (type), and shows progress until the end.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Moves a Cinder volume through Cinder's own migrate or retype, and follows"
        + " it to the end.", "Exit 0 when the volume arrived, 6 when a check or the move"
        + " failed."})
public final class MigrateCommand extends CloudCommand {

  @Parameters(index = "0", paramLabel = "VOLUME", description = "Cinder volume id.")
  String volumeId;

  @Option(names = "--to", required = true, paramLabel = "TYPE|HOST@BACKEND#POOL",
      description = "Destination: a volume type (retype) or a Cinder pool (migrate).")
  String to;

  @Option(names = "--force-host-copy", description = "os-migrate_volume: skip the driver's"
      + " own migration (generic copy by Cinder).")
  boolean forceHostCopy;

  @Option(names = "--lock-volume", description = "os-migrate_volume: status 'maintenance'"
      + " during the move, so nobody else acts on it.")
  boolean lockVolume;

  @Option(names = "--skip-checks", description = "Start even when a pre-flight check fails.")
  boolean skipChecks;

  @Option(names = "--follow", description = "Do not start anything: follow a move under way.")
  boolean followOnly;

  @Option(names = "--poll", paramLabel = "SECONDS", defaultValue = "5",
      description = "Seconds between polls of Cinder (default ${DEFAULT-VALUE}).")
  double pollSeconds;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "86400",
      description = "Give up following after this long; the move goes on (default"
          + " ${DEFAULT-VALUE}; 0: never).")
  long timeoutSeconds;

  @picocli.CommandLine.Mixin AgentOptions agentOptions;

  /** Replaced by tests. */
  Sleeper sleeper = Sleeper.REAL;
  AgentJobs agents;

  @Override
  int run(CloudApi cloud) {
    MoveTarget target = MoveTarget.parse(to);
    if (agents == null) {
      agents = agentOptions.jobs();
    }
    if (!followOnly && !skipChecks && !checksPass(cloud, target)) {
      return FAILED_CHECK;
    }
    VolumeMigrator migrator = new VolumeMigrator(cloud, agents, sleeper, Clock.systemUTC(),
        Duration.ofMillis((long) (pollSeconds * 1000)));
    if (!followOnly) {
      migrator.start(volumeId, target,
          new VolumeMigrator.Options(forceHostCopy, lockVolume));
      out().println("Started: " + (target.kind() == MoveTarget.Kind.HOST
          ? "os-migrate_volume" : "os-retype (migration_policy on-demand)") + " of "
          + volumeId + " to " + target.value());
    }
    if (!agents.available()) {
      out().println("(agent job progress not shown: no --agents given; Cinder's view only)");
    }
    String[] last = {""};
    MoveStatus end = migrator.follow(volumeId, target, Duration.ofSeconds(timeoutSeconds),
        p -> printChange(p, last));
    return report(cloud, end, target);
  }

  private boolean checksPass(CloudApi cloud, MoveTarget target) {
    List<CheckResult> results =
        PreflightChecks.run(new PreflightGatherer(cloud).gather(volumeId, target));
    for (CheckResult r : results) {
      if (r.verdict() != CheckResult.Verdict.PASS) {
        out().println(r.render());
      }
    }
    if (PreflightChecks.anyFailed(results)) {
      out().println("Not started: a pre-flight check failed (see 'ferry check'; --skip-checks"
          + " overrides).");
      out().flush();
      return false;
    }
    return true;
  }

  private void printChange(MigrationProgress p, String[] last) {
    String line = p.render();
    String key = line.replaceAll(" \\d+s", "");
    if (!key.equals(last[0])) {
      out().println(line);
      out().flush();
      last[0] = key;
    }
  }

  private int report(CloudApi cloud, MoveStatus end, MoveTarget target) {
    var v = cloud.volume(volumeId);
    switch (end) {
      case DONE -> out().println("Done: volume " + volumeId + " is on " + v.host()
          + " (type " + v.volumeType() + ")");
      case FAILED -> out().println("Failed: Cinder reports migration_status 'error' for "
          + volumeId + "; the volume stays on " + v.host()
          + ". See 'cinder message-list' and the cinder-volume log.");
      default -> out().println("Ended without reaching " + target + ": status " + v.status()
          + ", migration " + v.migrationStatus() + ", host " + v.host()
          + ". See 'cinder message-list' (e.g. no valid host for the retype).");
    }
    out().flush();
    return end == MoveStatus.DONE ? OK : FAILED_CHECK;
  }
}
