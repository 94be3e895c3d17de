package io.ferry.cli;

import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.ListExportsRequest;
import io.ferry.proto.v1.NbdExportInfo;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;

@Command(name = "exports", description = "List the agent's NBD exports.")
final class ExportsCommand extends ClientCommand {

  @Override
  int run(FerryAgentGrpc.FerryAgentBlockingStub agent) {
    PrintWriter out = out();
    out.printf(Locale.ROOT, "%-12s  %-2s  %5s  %-36s  %s%n", "EXPORT", "RW", "CONNS", "JOB",
        "URI");
    for (NbdExportInfo e : agent.listExports(ListExportsRequest.getDefaultInstance())
        .getExportsList()) {
      out.printf(Locale.ROOT, "%-12s  %-2s  %5d  %-36s  %s%n", e.getId(),
          e.getReadOnly() ? "ro" : "rw", e.getConnections(),
          e.getJobId().isEmpty() ? "-" : e.getJobId(), e.getUri());
    }
    out.flush();
    return ExitCodes.OK;
  }
}
