package io.ferry.cli;

import com.google.protobuf.Timestamp;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.GetJobRequest;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobEvent;
import io.ferry.proto.v1.JobKind;
import io.ferry.proto.v1.Progress;
import java.io.PrintWriter;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "job", description = "Show one job in detail, with its events.")
final class JobCommand extends ClientCommand {

  @Parameters(paramLabel = "JOB", description = "Job id.")
  String jobId;

  @Override
  int run(FerryAgentGrpc.FerryAgentBlockingStub agent) {
    Job j = agent.getJob(GetJobRequest.newBuilder().setJobId(jobId).build());
    print(j, out());
    return ExitCodes.OK;
  }

  static void print(Job j, PrintWriter out) {
    Progress p = j.getProgress();
    out.println("job:          " + j.getId());
    out.println("request:      " + j.getRequestId());
    out.println("kind:         " + j.getKind().name().toLowerCase());
    out.println("state:        " + Human.state(j.getState())
        + (j.getQueuedReason().isEmpty() ? "" : " (" + j.getQueuedReason() + ")"));
    out.println("route:        " + route(j));
    if (!j.getExportUri().isEmpty()) {
      out.println("export:       " + j.getExportUri() + " (" + j.getExportId() + ")");
    }
    out.println("progress:     " + ProgressRenderer.line(j));
    out.println("copied:       " + Human.size(p.getBytesCopied()) + " (holes "
        + Human.size(p.getHoleBytes()) + ", regions merged " + p.getRegionsMerged() + ")");
    out.println("bandwidth:    " + Human.cap(p.getBandwidthLimit()));
    if (p.getRestarts() > 0) {
      out.println("restarts:     " + p.getRestarts());
    }
    if (j.hasError()) {
      out.println("error:        " + j.getError().getCode() + ": " + j.getError().getMessage());
    }
    out.println("created:      " + time(j.getCreated()));
    out.println("updated:      " + time(j.getUpdated()));
    j.getLabelsMap().forEach((k, v) -> out.println("label:        " + k + "=" + v));
    out.println("events:");
    for (JobEvent e : j.getEventsList()) {
      out.println("  " + time(e.getTime()) + "  " + Human.state(e.getState()) + "  " + e.getKind()
          + "  " + e.getMessage());
    }
    out.flush();
  }

  static String route(Job j) {
    String from = j.getKind() == JobKind.LIVE_MIRROR
        ? "domain " + j.getDomain() + " disk " + j.getDiskTarget()
        : EndpointSyntax.format(j.getSource());
    return from + " -> " + EndpointSyntax.format(j.getDestination());
  }

  static String time(Timestamp t) {
    return t.getSeconds() == 0 && t.getNanos() == 0 ? "-"
        : Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString();
  }
}
