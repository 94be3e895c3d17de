package io.ferry.cli;

import io.ferry.config.ByteSizes;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.DiskFormat;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.StartCopyRequest;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.UUID;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What every command that starts a copy job takes (a picocli mixin of {@code copy} and
 * {@code convert}): SRC, DST, the destination format, a bandwidth cap, the request id and
 * {@code --wait}; and how such a command starts its job.
 */
final class JobStartOptions {

  @Parameters(index = "0", paramLabel = "SRC", description = "Source endpoint.")
  String source;

  @Parameters(index = "1", paramLabel = "DST", description = "Destination endpoint.")
  String destination;

  @Option(names = "--format", paramLabel = "FMT",
      description = "Destination format: raw, qcow2, vmdk, vhd, vhdx (file destinations).")
  String format;

  @Option(names = "--bandwidth", paramLabel = "RATE",
      description = "Cap of this job, e.g. 100MiB/s (default: none of its own).")
  String bandwidth;

  @Option(names = "--request-id", paramLabel = "ID",
      description = "Makes the start idempotent (default: a new UUID).")
  String requestId;

  @Option(names = "--wait", description = "Follow the job until it ends; exit with its outcome.")
  boolean waitForEnd;

  /** Sets the options given here (bandwidth, format) on {@code o}. */
  CopyOptions.Builder applyTo(CopyOptions.Builder o) {
    if (bandwidth != null) {
      o.setBandwidthBytesPerSec(parse("--bandwidth", () -> ByteSizes.parseRate(bandwidth)));
    }
    if (format != null) {
      o.setDestinationFormat(format(format));
    }
    return o;
  }

  /** A start request for SRC -> DST with {@code options}. */
  StartCopyRequest.Builder request(CopyOptions.Builder options) {
    return StartCopyRequest.newBuilder()
        .setRequestId(requestId != null ? requestId : UUID.randomUUID().toString())
        .setSource(ExportCommand.parseEndpoint(source))
        .setDestination(ExportCommand.parseEndpoint(destination))
        .setOptions(applyTo(options));
  }

  /** Starts the job and prints its id; the job as the agent returned it. */
  static Job start(FerryAgentGrpc.FerryAgentBlockingStub agent, StartCopyRequest request,
      PrintWriter out) {
    Job job = agent.startCopy(request);
    out.println("job " + job.getId() + " " + Human.state(job.getState()) + " (request "
        + request.getRequestId() + ")");
    out.flush();
    return job;
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
