package io.ferry.cli;

import io.ferry.proto.v1.FerryAgentGrpc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "watch",
    description = "Follow a job until it ends: a progress bar on a terminal, plain lines otherwise."
        + " Exits with the job's outcome.")
final class WatchCommand extends ClientCommand {

  @Parameters(paramLabel = "JOB", description = "Job id.")
  String jobId;

  @Override
  int run(FerryAgentGrpc.FerryAgentBlockingStub agent) {
    return follow(agent, jobId);
  }
}
