package io.ferry.cli;

import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.NbdExportInfo;
import io.ferry.proto.v1.StopExportRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "unexport", description = "Stop an NBD export (its clients are disconnected).")
final class UnexportCommand extends ClientCommand {

  @Parameters(paramLabel = "EXPORT", description = "Export id (see `ferry exports`).")
  String id;

  @Override
  int run(FerryAgentGrpc.FerryAgentBlockingStub agent) {
    NbdExportInfo e = agent.stopExport(StopExportRequest.newBuilder().setExportId(id).build());
    out().println("export " + e.getId() + " stopped");
    out().flush();
    return ExitCodes.OK;
  }
}
