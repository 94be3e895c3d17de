package io.ferry.cli;

import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.ListJobsRequest;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "jobs", description = "List jobs.")
final class JobsCommand extends ClientCommand {

  @Option(names = "--state", paramLabel = "STATE", split = ",",
      description = "Only jobs in these states (repeatable or comma-separated), e.g. syncing.")
  List<String> states = List.of();

  @Override
  int run(FerryAgentGrpc.FerryAgentBlockingStub agent) {
    ListJobsRequest.Builder r = ListJobsRequest.newBuilder();
    for (String s : states) {
      r.addStates(state(s));
    }
    List<Job> jobs = agent.listJobs(r.build()).getJobsList();
    PrintWriter out = out();
    out.printf(Locale.ROOT, "%-36s  %-11s  %5s  %11s  %s%n", "JOB", "STATE", "DONE", "RATE",
        "SOURCE -> DESTINATION");
    for (Job j : jobs) {
      var p = j.getProgress();
      out.printf(Locale.ROOT, "%-36s  %-11s  %5s  %11s  %s%n", j.getId(), Human.state(j.getState()),
          Human.percent(p.getBytesDone(), p.getBytesTotal()), Human.rate(p.getRateBytesPerSec()),
          JobCommand.route(j));
    }
    out.flush();
    return ExitCodes.OK;
  }

  static JobState state(String name) {
    try {
      JobState s = JobState.valueOf(name.toUpperCase(Locale.ROOT));
      if (s != JobState.UNRECOGNIZED && s != JobState.JOB_STATE_UNSPECIFIED) {
        return s;
      }
    } catch (IllegalArgumentException e) {
      // below
    }
    throw new CliException(ExitCodes.USAGE, "--state: unknown state '" + name + "'; use queued, "
        + "preparing, syncing, merging, verifying, committing, ready, pivoting, cancelling, "
        + "completed, failed or cancelled");
  }
}
