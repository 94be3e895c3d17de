package io.ferry.cli;

import io.ferry.config.ByteSizes;
import io.ferry.demo.QuickstartDemo;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.Progress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** `ferry demo`: the quick start's main job on the embedded default (file-backed pools). */
@Command(
    name = "demo",
    description = {
      "The quick start: move a sample volume between two file-backed pools while a guest writes.",
      "Starts an agent on loopback, moves a sparse volume from pool-a to pool-b while a",
      "simulated guest keeps writing to it through the agent, then checks the result",
      "independently: every guest write on the destination, holes kept, verify equal."
    })
final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--dir", defaultValue = "build/quickstart",
      description = "Folder for the pools, config and journal (emptied first). Default: ${DEFAULT-VALUE}")
  Path dir;

  @Option(names = "--size", defaultValue = "1GiB",
      description = "Sample volume size; half data, half holes. Default: ${DEFAULT-VALUE}")
  String size;

  @Option(names = "--bandwidth", defaultValue = "256MiB/s",
      description = "The job's bandwidth cap. Default: ${DEFAULT-VALUE}")
  String bandwidth;

  @Option(names = "--guest-rate", defaultValue = "16MiB/s",
      description = "How fast the simulated guest writes. Default: ${DEFAULT-VALUE}")
  String guestRate;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    var options = new QuickstartDemo.Options(dir, ByteSizes.parseSize(size),
        ByteSizes.parseRate(bandwidth), ByteSizes.parseRate(guestRate), 42);
    out.printf("ferry demo: moving a %s volume (half data, half holes) from pool-a to pool-b "
        + "in %s while a guest writes %s to it%n", Human.size(options.size()),
        dir.toAbsolutePath(), Human.rate(options.guestRate()));
    ProgressRenderer renderer =
        new ProgressRenderer(out, System.console() != null, 1000, System::currentTimeMillis);
    // The demo runs two jobs (the move, then the conversion): each one's outcome line comes
    // right after its own progress lines.
    AtomicReference<Job> shown = new AtomicReference<>();
    QuickstartDemo.Outcome o = new QuickstartDemo(options, job -> {
      Job before = shown.getAndSet(job);
      if (before != null && !before.getId().equals(job.getId())) {
        renderer.finish(before);
      }
      renderer.update(job);
    }).run();
    renderer.finish(shown.get() != null ? shown.get() : o.job());
    summary(out, o);
    if (o.ok()) {
      return ExitCodes.OK;
    }
    return o.job().getState() == io.ferry.proto.v1.JobState.COMPLETED
        ? ExitCodes.DATA_LOSS : ExitCodes.INTERNAL;
  }

  private static void summary(PrintWriter out, QuickstartDemo.Outcome o) {
    Job job = o.job();
    Progress p = job.getProgress();
    long seconds = Math.max(1, job.getUpdated().getSeconds() - job.getCreated().getSeconds());
    out.println();
    out.println("summary");
    out.printf("  job               %s %s%n", job.getId(), Human.state(job.getState()));
    if (job.hasError() && !job.getError().getMessage().isEmpty()) {
      out.printf("  error             %s: %s%n", job.getError().getCode(), job.getError().getMessage());
    }
    out.printf("  volume            %s, %s of data before the guest wrote%n",
        Human.size(o.size()), Human.size(o.dataBytes()));
    out.printf("  bytes copied      %s (all passes)%n", Human.size(p.getBytesCopied()));
    out.printf("  holes kept        %s skipped; allocated %s on pool-a, %s on pool-b%n",
        Human.size(p.getHoleBytes()), Human.size(o.sourceAllocated()),
        Human.size(o.destinationAllocated()));
    out.printf("  regions merged    %d (written by the guest during the copy), %d pass(es)%n",
        p.getRegionsMerged(), p.getPass());
    out.printf("  rate              %s over %ds%n", Human.rate(p.getBytesCopied() / seconds), seconds);
    out.printf("  guest writes      %d, %s on the destination%n", o.guestWrites(),
        o.missingWrites() == 0 ? "all" : (o.guestWrites() - o.missingWrites()) + " only");
    out.printf("  verification      %s%n", o.verify().getEqual()
        ? "source and destination equal (" + Human.size(o.verify().getBytesCompared()) + " compared)"
        : "DIFFERENT at offset " + o.verify().getFirstDifference() + ": " + o.verify().getDetail());
    QuickstartDemo.Conversion c = o.conversion();
    if (c != null) {
      out.printf("  as qcow2          pool-b/volume-1.qcow2: %s, %s on disk, %s%n",
          Human.state(c.job().getState()), Human.size(c.fileBytes()),
          c.verify().getEqual() ? "equal to the raw volume" : "DIFFERENT: " + c.verify().getDetail());
    }
    out.println(o.ok() ? "result            OK" : "result            FAILED");
    out.flush();
  }
}
