package io.ferry.cli;

import io.ferry.cloud.CloudApi;
import io.ferry.cloud.EvacuationEstimate;
import io.ferry.cloud.EvacuationLimits;
import io.ferry.cloud.EvacuationPlanner;
import io.ferry.cloud.EvacuationRunner;
import io.ferry.cloud.EvacuationState;
import io.ferry.cloud.EvacuationSummary;
import io.ferry.cloud.MoveTarget;
import io.ferry.cloud.PlannedMove;
import io.ferry.cloud.Sleeper;
import io.ferry.config.ByteSizes;
import io.ferry.error.FerryException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry evacuate --from HOST@BACKEND#POOL (--to HOST@BACKEND#POOL | --type TYPE)}:
 * plans, then moves every volume of a pool through Cinder within the limits, saving its state
 * after every change so that a rerun with the same --state resumes.
 */
@Command(name = "evacuate", mixinStandardHelpOptions = true,
    description = {"Moves every volume of a Cinder pool elsewhere, within limits, resumably.",
        "Exit 0 when every volume moved, 6 when some were skipped or failed."})
public final class EvacuateCommand extends CloudCommand {

  @Option(names = "--from", required = true, paramLabel = "HOST@BACKEND#POOL",
      description = "The pool to empty.")
  String from;

  @Option(names = "--to", paramLabel = "HOST@BACKEND#POOL", description = "Destination pool.")
  String toHost;

  @Option(names = "--type", paramLabel = "TYPE", description = "Destination volume type"
      + " (retype, migration policy on-demand).")
  String toType;

  @Option(names = "--dry-run", description = "Print the plan and the estimate only.")
  boolean dryRun;

  @Option(names = "--max-parallel", defaultValue = "2", description = "Moves at once"
      + " (default ${DEFAULT-VALUE}).")
  int maxParallel;

  @Option(names = "--max-per-host", defaultValue = "1", description = "Attached moves at once"
      + " per compute host (default ${DEFAULT-VALUE}).")
  int maxPerHost;

  @Option(names = "--max-per-pool", defaultValue = "2", description = "Moves at once per pool"
      + " (default ${DEFAULT-VALUE}).")
  int maxPerPool;

  @Option(names = "--bandwidth", paramLabel = "RATE", defaultValue = "0",
      description = "Budget for all moves together, e.g. 400MiB/s (default: none). Moves are"
          + " counted at their assumed rates: a move starts only while the sum fits; with"
          + " --agents, their jobs are also capped at an equal share of it.")
  String bandwidth;

  @Option(names = "--assume-rate", paramLabel = "RATE", defaultValue = "150MiB/s",
      description = "Rate of one detached move until one is measured (default ${DEFAULT-VALUE}).")
  String detachedRate;

  @Option(names = "--assume-attached-rate", paramLabel = "RATE", defaultValue = "35MiB/s",
      description = "Rate of one attached move until one is measured (default ${DEFAULT-VALUE}).")
  String attachedRate;

  @Option(names = "--state", paramLabel = "FILE", description = "State file (default:"
      + " ./ferry-evacuate-<pool>.json); rerun with it to resume.")
  Path stateFile;

  @Option(names = "--poll", paramLabel = "SECONDS", defaultValue = "5",
      description = "Seconds between polls of Cinder (default ${DEFAULT-VALUE}).")
  double pollSeconds;

  @picocli.CommandLine.Mixin AgentOptions agentOptions;

  /** Replaced by tests. */
  Sleeper sleeper = Sleeper.REAL;
  Consumer<EvacuationState> afterSave = s -> { };

  @Override
  int run(CloudApi cloud) {
    MoveTarget target = target();
    EvacuationLimits limits = limits();
    Path file = stateFile != null ? stateFile
        : Path.of("ferry-evacuate-" + from.replaceAll("[^A-Za-z0-9_.-]", "_") + ".json");
    EvacuationState state = loadOrPlan(cloud, target, file);
    out().print(EvacuationSummary.table(state.moves()));
    out().println("Estimate: " + EvacuationEstimate.of(state.moves(), limits).render());
    if (dryRun) {
      out().println("Dry run: nothing started, no state written.");
      out().flush();
      return OK;
    }
    out().println("State file: " + file.toAbsolutePath());
    out().flush();
    new EvacuationRunner(cloud, limits, sleeper, Clock.systemUTC(),
        Duration.ofMillis((long) (pollSeconds * 1000)), file, this::event)
        .afterSave(afterSave)
        .withAgents(agentOptions.jobs())
        .run(state);
    out().println();
    out().print(EvacuationSummary.table(state.moves()));
    out().flush();
    return EvacuationSummary.allDone(state.moves()) ? OK : FAILED_CHECK;
  }

  private EvacuationState loadOrPlan(CloudApi cloud, MoveTarget target, Path file) {
    if (Files.exists(file)) {
      EvacuationState s = EvacuationState.load(file);
      if (!s.from().equals(from) || !s.target().equals(target)) {
        throw FerryException.invalid("--state " + file, "belongs to the evacuation of "
            + s.from() + " to " + s.target() + ": give another --state for this one");
      }
      out().println("Resuming the evacuation saved in " + file);
      return s;
    }
    out().println("Plan: " + from + " -> " + target);
    return new EvacuationPlanner(cloud, Clock.systemUTC()).plan(from, target);
  }

  private MoveTarget target() {
    if ((toHost == null) == (toType == null)) {
      throw FerryException.invalid("--to/--type", "give exactly one of them");
    }
    if (!from.contains("@") || !from.contains("#")) {
      throw FerryException.invalid("--from", "'" + from + "' is not host@backend#pool");
    }
    return toHost != null ? MoveTarget.host(toHost) : MoveTarget.type(toType);
  }

  private EvacuationLimits limits() {
    try {
      return new EvacuationLimits(maxParallel, maxPerHost, maxPerPool,
          ByteSizes.parseRate(bandwidth), ByteSizes.parseRate(detachedRate),
          ByteSizes.parseRate(attachedRate));
    } catch (IllegalArgumentException e) {
      throw FerryException.invalid("--bandwidth/--assume-rate", e.getMessage());
    }
  }

  private void event(String line) {
    out().println(line);
    out().flush();
  }

  /** For the summary's counts in tests. */
  static long count(EvacuationState s, PlannedMove.State state) {
    return s.moves().stream().filter(m -> m.state() == state).count();
  }
}
