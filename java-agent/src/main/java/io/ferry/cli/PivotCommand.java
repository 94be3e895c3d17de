package io.ferry.cli;

import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.PivotJobRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pivot",
    description = "Switch the guest of a READY live-mirror job (started without --pivot) to the "
        + "destination; the persistent domain definition is checked to name it too. Only for "
        + "Ferry's own live mirrors: a volume Nova knows is moved through Nova's swap instead.")
final class PivotCommand extends ClientCommand {

  @Parameters(paramLabel = "JOB", description = "Job id of a READY live mirror.")
  String jobId;

  @Option(names = "--wait", description = "Follow the job until the pivot is done.")
  boolean await;

  @Override
  int run(FerryAgentGrpc.FerryAgentBlockingStub agent) {
    Job j = agent.pivotJob(PivotJobRequest.newBuilder().setJobId(jobId).build());
    out().println("job " + j.getId() + " " + Human.state(j.getState()) + ": pivot requested");
    out().flush();
    return await ? follow(agent, jobId) : ExitCodes.OK;
  }
}
