package io.ferry.cli;

import io.ferry.proto.v1.FerryAgentGrpc;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** A command that talks to the agent: opens the channel, runs, closes it. */
abstract class ClientCommand implements Callable<Integer> {

  @ParentCommand FerryCli cli;

  @Mixin ConnectionOptions connection;

  /** Without a deadline: watches last as long as their job. */
  private FerryAgentGrpc.FerryAgentBlockingStub streaming;

  @Override
  public final Integer call() {
    cli.agentForErrors = connection.agent;
    try (OwnedChannel channel = new OwnedChannel(connection)) {
      streaming = FerryAgentGrpc.newBlockingStub(channel.channel());
      return run(streaming.withDeadlineAfter(connection.timeoutSeconds, TimeUnit.SECONDS));
    }
  }

  abstract int run(FerryAgentGrpc.FerryAgentBlockingStub agent);

  PrintWriter out() {
    return cli.out();
  }

  /**
   * Follows a job to its end, rendering progress; the exit code of its outcome. The watch itself
   * has no deadline.
   */
  int follow(FerryAgentGrpc.FerryAgentBlockingStub agent, String jobId) {
    ProgressRenderer r = cli.renderer();
    io.ferry.proto.v1.Job last = null;
    var it = streaming.watchJob(io.ferry.proto.v1.WatchJobRequest.newBuilder().setJobId(jobId).build());
    while (it.hasNext()) {
      last = it.next();
      r.update(last);
    }
    if (last == null) {
      throw new CliException(ExitCodes.INTERNAL, "the agent ended the watch of " + jobId
          + " without a job; run `ferry job " + jobId + "`");
    }
    if (!ProgressRenderer.isTerminal(last.getState())) {
      last = agent.withDeadlineAfter(connection.timeoutSeconds, TimeUnit.SECONDS).getJob(io.ferry.proto.v1.GetJobRequest.newBuilder().setJobId(jobId).build());
    }
    r.finish(last);
    return outcome(last);
  }

  static int outcome(io.ferry.proto.v1.Job job) {
    return switch (job.getState()) {
      case COMPLETED -> ExitCodes.OK;
      case CANCELLED -> ExitCodes.CANCELLED;
      case FAILED -> ExitCodes.ofName(job.getError().getCode());
      default -> ExitCodes.UNAVAILABLE; // the stream ended early: the agent went away
    };
  }
}
