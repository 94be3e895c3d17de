package io.ferry.cli;

import io.ferry.proto.v1.Capabilities;
import io.ferry.proto.v1.ClusterInfo;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.GetCapabilitiesRequest;
import java.io.PrintWriter;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

@Command(name = "caps", description = "Show what the agent offers: version, roots, clusters, "
    + "formats, budgets.")
final class CapsCommand extends ClientCommand {

  @Override
  int run(FerryAgentGrpc.FerryAgentBlockingStub agent) {
    Capabilities c = agent.getCapabilities(GetCapabilitiesRequest.getDefaultInstance());
    PrintWriter out = out();
    out.println("version:      " + c.getVersion());
    out.println("host:         " + c.getHost());
    out.println("file roots:   " + String.join(", ", c.getFileRootsList()));
    for (ClusterInfo ci : c.getClustersList()) {
      out.println("cluster:      " + ci.getId() + (ci.getReachable() ? " reachable" : "")
          + (ci.getDetail().isEmpty() ? "" : " (" + ci.getDetail() + ")"));
    }
    out.println("libvirt:      " + (c.getLibvirtAvailable() ? "available" : "not available"));
    out.println("read formats: " + c.getReadFormatsList().stream().map(f -> f.name().toLowerCase())
        .collect(Collectors.joining(", ")));
    out.println("write formats: " + c.getWriteFormatsList().stream()
        .map(f -> f.name().toLowerCase()).collect(Collectors.joining(", ")));
    var b = c.getBudgets();
    out.println("budgets:      " + b.getMaxConcurrentJobs() + " concurrent jobs, "
        + Human.cap(b.getTotalBandwidthBytesPerSec()) + " total; running "
        + b.getRunningJobs() + ", queued " + b.getQueuedJobs());
    out.flush();
    return ExitCodes.OK;
  }
}
