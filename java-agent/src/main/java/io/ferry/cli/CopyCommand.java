package io.ferry.cli;

import io.ferry.config.ByteSizes;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.StartCopyRequest;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "copy", description = "Start a copy job from SRC to DST.",
    footer = {"", "Endpoints:",
        "  file:[ROOT:]relative/path[?format=qcow2]   a file under one of the agent's roots",
        "  rbd:CLUSTER/POOL[/NAMESPACE]/IMAGE[@SNAP]  an RBD image of a configured cluster"})
final class CopyCommand extends ClientCommand {

  @Mixin JobStartOptions job;

  @Option(names = "--parallel", paramLabel = "N",
      description = "Requests in flight (default: the agent's).")
  int parallel;

  @Option(names = "--chunk-size", paramLabel = "SIZE",
      description = "Bytes per request, e.g. 4MiB (default: the agent's).")
  String chunkSize;

  @Option(names = "--no-verify", description = "Skip the verification after the copy.")
  boolean noVerify;

  @Option(names = "--no-sparse", description = "Write holes as zeros instead of keeping them.")
  boolean noSparse;

  @Option(names = "--create", description = "Create the destination (else it must exist).")
  boolean create;

  @Option(names = "--copy-snapshots", description = "RBD to RBD: carry the source's snapshots"
      + " over, oldest first, with their protection (like `rbd deep cp`); needs --create.")
  boolean copySnapshots;

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Tag the job (repeatable).")
  Map<String, String> labels = Map.of();

  @Override
  int run(FerryAgentGrpc.FerryAgentBlockingStub agent) {
    Job started = JobStartOptions.start(agent, request(), out());
    return job.waitForEnd ? follow(agent, started.getId()) : ExitCodes.OK;
  }

  StartCopyRequest request() {
    CopyOptions.Builder o = CopyOptions.newBuilder()
        .setCreateDestination(create)
        .setVerify(!noVerify)
        .setKeepSparse(!noSparse)
        .setCopySnapshots(copySnapshots);
    if (chunkSize != null) {
      o.setChunkSize(parse("--chunk-size", () -> ByteSizes.parseSize(chunkSize)));
    }
    if (parallel < 0) {
      throw new CliException(ExitCodes.USAGE, "--parallel: must be positive");
    }
    o.setParallelism(parallel);
    return job.request(o).putAllLabels(labels).build();
  }

  static long parse(String option, java.util.function.LongSupplier p) {
    return JobStartOptions.parse(option, p);
  }
}
