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
 * the exit code of its reason (the numbers of the agent commands' exit codes).
 */
abstract class CloudCommand implements Callable<Integer> {

  static final int OK = 0;
  static final int FAILED_CHECK = 6;

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
    }
  }

  abstract int run(CloudApi cloud);

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  static int exitCode(io.ferry.error.Reason r) {
    return switch (r) {
      case INVALID_ARGUMENT -> 3;
      case NOT_FOUND -> 4;
      case ALREADY_EXISTS -> 5;
      case FAILED_PRECONDITION -> 6;
      case RESOURCE_EXHAUSTED -> 7;
      case UNAVAILABLE -> 8;
      case DATA_LOSS -> 9;
      case PERMISSION_DENIED -> 10;
      case UNIMPLEMENTED -> 11;
      case CANCELLED -> 12;
      case INTERNAL -> 1;
    };
  }
}
