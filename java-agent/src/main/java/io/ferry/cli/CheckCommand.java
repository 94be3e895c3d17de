package io.ferry.cli;

import io.ferry.cloud.CheckResult;
import io.ferry.cloud.CloudApi;
import io.ferry.cloud.MoveTarget;
import io.ferry.cloud.PreflightChecks;
import io.ferry.cloud.PreflightGatherer;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry check VOLUME --to TYPE|HOST@BACKEND#POOL}: the pre-flight checks of a move. */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {"Checks that a Cinder volume can be moved, one verdict per check.",
        "Exit 0 when nothing fails (warnings allowed), 6 when a check fails."})
public final class CheckCommand extends CloudCommand {

  @Parameters(index = "0", paramLabel = "VOLUME", description = "Cinder volume id.")
  String volumeId;

  @Option(names = "--to", required = true, paramLabel = "TYPE|HOST@BACKEND#POOL",
      description = "Destination: a volume type (retype) or a Cinder pool (migrate).")
  String to;

  @Override
  int run(CloudApi cloud) {
    MoveTarget target = MoveTarget.parse(to);
    List<CheckResult> results =
        PreflightChecks.run(new PreflightGatherer(cloud).gather(volumeId, target));
    out().println("Pre-flight checks for volume " + volumeId + " -> " + target);
    for (CheckResult r : results) {
      out().println(r.render());
    }
    boolean failed = PreflightChecks.anyFailed(results);
    out().println(failed ? "Result: FAIL (do not move this volume yet)"
        : "Result: PASS (the move may start)");
    out().flush();
    return failed ? FAILED_CHECK : OK;
  }
}
