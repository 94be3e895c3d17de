package io.ferry.cli;

import io.ferry.cloud.CloudApi;
import io.ferry.error.FerryException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that talks to Cinder and Nova. A FerryException becomes one line on stderr and
 * the exit code of its reason (the same numbers as the agent commands').
 */
abstract class CloudCommand implements Callable<Integer> {

  static final int OK = ExitCodes.OK;
  /** A check failed, a move failed or was skipped. */
  static final int FAILED_CHECK = ExitCodes.FAILED_PRECONDITION;

  @Spec CommandSpec spec;

  @Mixin CloudOptions cloudOptions;

  /** Set by tests; otherwise the cloud of --os-cloud. */
  CloudApi cloudOverride;

  @Override
  public final Integer call() {
    try {
      CloudApi cloud = cloudOverride != null ? cloudOverride : cloudOptions.connect();
      return run(cloud);
    } catch (FerryException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("ferry " + spec.name() + ": " + e.getMessage());
      err.flush();
      return exitCode(e.reason());
    } catch (io.grpc.StatusRuntimeException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("ferry " + spec.name() + ": " + ErrorReporter.describe(e.getStatus(),
          "the agent"));
      err.flush();
      return ExitCodes.of(e.getStatus().getCode());
    }
  }

  abstract int run(CloudApi cloud);

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  static int exitCode(io.ferry.error.Reason r) {
    return ExitCodes.of(io.ferry.server.StatusMapper.code(r));
  }
}
