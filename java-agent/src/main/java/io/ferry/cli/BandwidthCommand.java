package io.ferry.cli;

import io.ferry.config.ByteSizes;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.SetBandwidthRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "bandwidth", description = "Change a running job's bandwidth cap.")
final class BandwidthCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "JOB", description = "Job id.")
  String jobId;

  @Parameters(index = "1", paramLabel = "RATE",
      description = "New cap, e.g. 50MiB/s; 0: none of its own (the host budget still applies).")
  String rate;

  @Override
  int run(FerryAgentGrpc.FerryAgentBlockingStub agent) {
    long bytes = CopyCommand.parse("RATE", () -> ByteSizes.parseRate(rate));
    Job j = agent.setBandwidth(SetBandwidthRequest.newBuilder().setJobId(jobId)
        .setBandwidthBytesPerSec(bytes).build());
    out().println("job " + j.getId() + " bandwidth " + Human.cap(bytes));
    out().flush();
    return ExitCodes.OK;
  }
}
