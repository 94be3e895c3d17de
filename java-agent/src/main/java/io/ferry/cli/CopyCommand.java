package io.ferry.cli;

import io.ferry.config.ByteSizes;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.DiskFormat;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.StartCopyRequest;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "copy", description = "Start a copy job from SRC to DST.",
    footer = {"", "Endpoints:",
        "  file:[ROOT:]relative/path[?format=qcow2]   a file under one of the agent's roots",
        "  rbd:CLUSTER/POOL[/NAMESPACE]/IMAGE[@SNAP]  an RBD image of a configured cluster"})
final class CopyCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "SRC", description = "Source endpoint.")
  String source;

  @Parameters(index = "1", paramLabel = "DST", description = "Destination endpoint.")
  String destination;

  @Option(names = "--bandwidth", paramLabel = "RATE",
      description = "Cap of this job, e.g. 100MiB/s (default: none of its own).")
  String bandwidth;

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

  @Option(names = "--format", paramLabel = "FMT",
      description = "Destination format: raw, qcow2, vmdk, vhd, vhdx (file destinations).")
  String format;

  @Option(names = "--request-id", paramLabel = "ID",
      description = "Makes the start idempotent (default: a new UUID).")
  String requestId;

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Tag the job (repeatable).")
  Map<String, String> labels = Map.of();

  @Option(names = "--wait", description = "Follow the job until it ends; exit with its outcome.")
  boolean waitForEnd;

  @Override
  int run(FerryAgentGrpc.FerryAgentBlockingStub agent) {
    StartCopyRequest request = request();
    Job job = agent.startCopy(request);
    out().println("job " + job.getId() + " " + Human.state(job.getState()) + " (request "
        + request.getRequestId() + ")");
    out().flush();
    return waitForEnd ? follow(agent, job.getId()) : ExitCodes.OK;
  }

  StartCopyRequest request() {
    CopyOptions.Builder o = CopyOptions.newBuilder()
        .setCreateDestination(create)
        .setVerify(!noVerify)
        .setKeepSparse(!noSparse)
        .setCopySnapshots(copySnapshots);
    if (bandwidth != null) {
      o.setBandwidthBytesPerSec(parse("--bandwidth", () -> ByteSizes.parseRate(bandwidth)));
    }
    if (chunkSize != null) {
      o.setChunkSize(parse("--chunk-size", () -> ByteSizes.parseSize(chunkSize)));
    }
    if (parallel < 0) {
      throw new CliException(ExitCodes.USAGE, "--parallel: must be positive");
    }
    o.setParallelism(parallel);
    if (format != null) {
      o.setDestinationFormat(format(format));
    }
    return StartCopyRequest.newBuilder()
        .setRequestId(requestId != null ? requestId : UUID.randomUUID().toString())
        .setSource(EndpointSyntax.parse(source))
        .setDestination(EndpointSyntax.parse(destination))
        .setOptions(o)
        .putAllLabels(labels)
        .build();
  }

  static DiskFormat format(String name) {
    String n = name.toUpperCase(Locale.ROOT);
    if (n.equals("VPC")) {
      return DiskFormat.VHD;
    }
    try {
      DiskFormat f = DiskFormat.valueOf(n);
      if (f != DiskFormat.UNRECOGNIZED && f != DiskFormat.DISK_FORMAT_UNSPECIFIED) {
        return f;
      }
    } catch (IllegalArgumentException e) {
      // below
    }
    throw new CliException(ExitCodes.USAGE,
        "--format: unknown format '" + name + "'; use raw, qcow2, vmdk, vhd or vhdx");
  }

  static long parse(String option, java.util.function.LongSupplier p) {
    try {
      return p.getAsLong();
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, option + ": " + e.getMessage());
    }
  }
}
