package io.ferry.cli;

import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.NbdAddress;
import io.ferry.proto.v1.NbdExportInfo;
import io.ferry.proto.v1.StartExportRequest;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry export}: serve an endpoint over NBD from the agent. */
@Command(name = "export",
    description = "Serve ENDPOINT over NBD from the agent (qemu, qemu-img, qemu-io, nbdcopy); "
        + "prints the export's id and URI. See `ferry exports`, `ferry unexport`.")
final class ExportCommand extends ClientCommand {

  /** Where to listen: exactly one. */
  static final class Where {
    @Option(names = "--socket", paramLabel = "NAME", required = true,
        description = "Unix socket file name in the agent's socket directory (journal_dir/nbd).")
    String socket;

    @Option(names = "--tcp", paramLabel = "HOST:PORT", required = true,
        description = "Loopback TCP address, e.g. 127.0.0.1:10809 (port 0: any free port).")
    String tcp;

    NbdAddress address() {
      NbdAddress.Builder b = NbdAddress.newBuilder();
      if (socket != null) {
        b.setUnixSocket(socket);
      } else {
        b.setTcp(tcp);
      }
      return b.build();
    }
  }

  @Parameters(paramLabel = "ENDPOINT", description = "file:... or rbd:... (see `ferry copy`).")
  String endpoint;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Where where;

  @Option(names = "--read-only", description = "Refuse writes.")
  boolean readOnly;

  @Option(names = "--name", paramLabel = "NAME", description = "NBD export name (default ferry).")
  String name = "";

  @Override
  int run(FerryAgentGrpc.FerryAgentBlockingStub agent) {
    NbdExportInfo e = agent.startExport(StartExportRequest.newBuilder()
        .setEndpoint(parseEndpoint(endpoint)).setAddress(where.address())
        .setReadOnly(readOnly).setExportName(name).build());
    out().println("export " + e.getId() + " " + e.getUri() + (e.getReadOnly() ? " (read-only)"
        : ""));
    out().flush();
    return ExitCodes.OK;
  }

  static io.ferry.proto.v1.Endpoint parseEndpoint(String text) {
    try {
      return EndpointSyntax.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
  }
}
