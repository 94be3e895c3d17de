package io.ferry.cli;

import io.ferry.proto.v1.CancelJobRequest;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.Job;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "cancel",
    description = "Cancel a job: abandon its destination (what the job created is removed; the "
        + "source is untouched).")
final class CancelCommand extends ClientCommand {

  @Parameters(paramLabel = "JOB", description = "Job id.")
  String jobId;

  @Override
  int run(FerryAgentGrpc.FerryAgentBlockingStub agent) {
    Job j = agent.cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).build());
    out().println("job " + j.getId() + " " + Human.state(j.getState()));
    out().flush();
    return ExitCodes.OK;
  }
}
