package io.ferry.cli;

import io.ferry.cloud.AgentJobs;
import io.ferry.cloud.CloudApi;
import io.ferry.cloud.RepairAction;
import io.ferry.cloud.RepairPlan;
import io.ferry.cloud.Repairer;
import io.ferry.cloud.Sleeper;
import io.ferry.error.FerryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry repair [--yes]}: finds volumes stuck in retyping, detaching, attaching or a
 * migration with nothing behind them, and restores a consistent state through Cinder's API
 * (os-reset_status, os-roll_detaching). Without --yes it only prints what it would do. It never
 * deletes anything.
 */
@Command(name = "repair", mixinStandardHelpOptions = true,
    description = {"Finds Cinder volumes stuck mid-move and, with --yes, restores a consistent"
        + " state. Never deletes data.", "Exit 0 when nothing is (left) stuck, 6 when stuck"
        + " volumes remain (dry run)."})
public final class RepairCommand extends CloudCommand {

  @Parameters(arity = "0..*", paramLabel = "VOLUME", description = "Only these volumes.")
  List<String> volumes = new ArrayList<>();

  @Option(names = "--yes", description = "Apply the actions (default: print them only).")
  boolean yes;

  @Option(names = "--observe", paramLabel = "SECONDS", defaultValue = "30",
      description = "Time between the two reads that tell stuck from slow (default"
          + " ${DEFAULT-VALUE}).")
  long observeSeconds;

  @Option(names = "--min-age", paramLabel = "SECONDS", defaultValue = "3600",
      description = "Only volumes Cinder last updated longer ago than this (default"
          + " ${DEFAULT-VALUE}): a generic migration by Cinder shows no progress while it"
          + " copies.")
  long minAgeSeconds;

  @Option(names = "--without-agents", description = "Allow --yes without --agents: a live"
      + " job on an agent nobody asked would then go unseen.")
  boolean withoutAgents;

  @Mixin AgentOptions agentOptions;

  /** Replaced by tests. */
  Sleeper sleeper = Sleeper.REAL;
  AgentJobs agents;

  @Override
  int run(CloudApi cloud) {
    AgentJobs jobs = agents != null ? agents : agentOptions.jobs();
    if (yes && !jobs.available() && !withoutAgents) {
      throw FerryException.invalid("--agents", "give the agents to ask for live jobs before"
          + " changing any state (or --without-agents if you know none runs)");
    }
    Repairer repairer = new Repairer(cloud, jobs, sleeper);
    out().println("Looking for stuck volumes (two reads " + observeSeconds + "s apart"
        + (jobs.available() ? ", agents asked" : ", agents NOT asked") + ")...");
    out().flush();
    List<RepairPlan> plans = repairer.scan(Duration.ofSeconds(observeSeconds),
        Duration.ofSeconds(minAgeSeconds), volumes);
    long stuck = print(plans);
    if (stuck == 0) {
      out().println("Nothing to repair.");
      out().flush();
      return OK;
    }
    if (!yes) {
      out().println(stuck + " stuck volume(s). Nothing changed: rerun with --yes to apply.");
      out().flush();
      return FAILED_CHECK;
    }
    for (String line : repairer.apply(plans)) {
      out().println("Did: " + line);
    }
    for (RepairPlan p : plans) {
      if (p.stuck()) {
        var v = cloud.volume(p.volumeId());
        out().println("Now: " + v.id() + " status " + v.status() + ", migration_status "
            + v.migrationStatus());
      }
    }
    out().flush();
    return OK;
  }

  private long print(List<RepairPlan> plans) {
    long stuck = 0;
    for (RepairPlan p : plans) {
      out().println((p.stuck() ? "STUCK " : "OK    ") + p.volumeId() + ": " + p.finding());
      for (RepairAction a : p.actions()) {
        out().println("      would: " + a.describe());
      }
      if (!p.advice().isEmpty()) {
        out().println("      note: " + p.advice());
      }
      stuck += p.stuck() ? 1 : 0;
    }
    return stuck;
  }
}
