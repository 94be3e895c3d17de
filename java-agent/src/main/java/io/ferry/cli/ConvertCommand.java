package io.ferry.cli;

import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.GetJobRequest;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.StartCopyRequest;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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

  @Mixin JobStartOptions job;

  @Option(names = "--online", description = "Serve DST over NBD while it is converted.")
  boolean online;

  @ArgGroup(exclusive = true)
  ExportCommand.Where where;

  @Option(names = "--export-name", paramLabel = "NAME",
      description = "NBD export name (default ferry).")
  String exportName = "";

  @Override
  int run(FerryAgentGrpc.FerryAgentBlockingStub agent) {
    Job started = JobStartOptions.start(agent, request(), out());
    if (online) {
      String uri = awaitExport(agent, started.getId());
      out().println(uri.isEmpty()
          ? "export not started yet; see `ferry job " + started.getId() + "`" : "export " + uri);
      out().flush();
    }
    return job.waitForEnd ? follow(agent, started.getId()) : ExitCodes.OK;
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
    return job.request(o).build();
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
