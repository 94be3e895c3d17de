package io.ferry.cli;

import io.ferry.config.ByteSizes;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.GetJobRequest;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.StartCopyRequest;
import java.util.UUID;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry convert [--online --socket NAME|--tcp ADDR] SRC DST}. */
@Command(name = "convert",
    description = {"Convert SRC into a new DST (format from DST's ?format= or --format).",
        "With --online, DST is served over NBD at once: reads of regions not converted yet are "
            + "converted first, writes go to DST and are kept; the rest is converted in the "
            + "background, then verified; the export serves on (`ferry unexport` ends it)."},
    footer = {"", "Example:",
        "  ferry convert --online --socket vol.sock --bandwidth 50MiB/s \\",
        "      file:in/vol.qcow2 'file:out/vol.raw?format=raw'"})
final class ConvertCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "SRC", description = "Source endpoint.")
  String source;

  @Parameters(index = "1", paramLabel = "DST", description = "Destination endpoint (created).")
  String destination;

  @Option(names = "--online", description = "Serve DST over NBD while it is converted.")
  boolean online;

  @ArgGroup(exclusive = true)
  ExportCommand.Where where;

  @Option(names = "--export-name", paramLabel = "NAME",
      description = "NBD export name (default ferry).")
  String exportName = "";

  @Option(names = "--format", paramLabel = "FMT",
      description = "Destination format: raw, qcow2, vmdk, vhd, vhdx.")
  String format;

  @Option(names = "--bandwidth", paramLabel = "RATE",
      description = "Cap of the background conversion, e.g. 100MiB/s.")
  String bandwidth;

  @Option(names = "--request-id", paramLabel = "ID",
      description = "Makes the start idempotent (default: a new UUID).")
  String requestId;

  @Option(names = "--wait", description = "Follow the job until it ends; exit with its outcome.")
  boolean waitForEnd;

  @Override
  int run(FerryAgentGrpc.FerryAgentBlockingStub agent) {
    StartCopyRequest request = request();
    Job job = agent.startCopy(request);
    out().println("job " + job.getId() + " " + Human.state(job.getState()) + " (request "
        + request.getRequestId() + ")");
    out().flush();
    if (online) {
      String uri = awaitExport(agent, job.getId());
      out().println(uri.isEmpty() ? "export not started yet; see `ferry job " + job.getId() + "`"
          : "export " + uri);
      out().flush();
    }
    return waitForEnd ? follow(agent, job.getId()) : ExitCodes.OK;
  }

  StartCopyRequest request() {
    if (online != (where != null)) {
      throw new CliException(ExitCodes.USAGE, online
          ? "--online needs --socket NAME or --tcp 127.0.0.1:PORT"
          : "--socket and --tcp need --online");
    }
    CopyOptions.Builder o = CopyOptions.newBuilder().setCreateDestination(true).setVerify(true)
        .setKeepSparse(true).setOnline(online);
    if (online) {
      o.setOnlineExport(where.address()).setOnlineExportName(exportName);
    }
    if (bandwidth != null) {
      o.setBandwidthBytesPerSec(CopyCommand.parse("--bandwidth",
          () -> ByteSizes.parseRate(bandwidth)));
    }
    if (format != null) {
      o.setDestinationFormat(CopyCommand.format(format));
    }
    return StartCopyRequest.newBuilder()
        .setRequestId(requestId != null ? requestId : UUID.randomUUID().toString())
        .setSource(ExportCommand.parseEndpoint(source))
        .setDestination(ExportCommand.parseEndpoint(destination))
        .setOptions(o).build();
  }

  /** The export starts when the job is admitted: poll briefly for its URI. */
  private static String awaitExport(FerryAgentGrpc.FerryAgentBlockingStub agent, String id) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      Job j = agent.getJob(GetJobRequest.newBuilder().setJobId(id).build());
      if (!j.getExportUri().isEmpty() || ProgressRenderer.isTerminal(j.getState())
          || System.nanoTime() > deadline) {
        return j.getExportUri();
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "";
      }
    }
  }
}
