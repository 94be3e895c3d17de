package io.ferry.demo;

import io.ferry.Agent;
import io.ferry.config.ConfigLoader;
import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import io.ferry.device.file.FileDevice;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.DiskFormat;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.StartCopyRequest;
import io.ferry.proto.v1.VerifyRequest;
import io.ferry.proto.v1.VerifyResponse;
import io.ferry.proto.v1.WatchJobRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Ferry's main job end to end on the embedded default: two file-backed pools in a local folder,
 * an agent on loopback, a sample volume with data and holes moved from pool A to pool B over the
 * agent's API while a simulated guest keeps writing to it through the agent, then checked
 * independently of the agent: every guest write on the destination, the API's verify, holes kept.
 * Then the moved volume is also written out as qcow2 by a second job and compared with it.
 */
public final class QuickstartDemo {

  /** What to run. */
  public record Options(Path dir, long size, long bandwidth, long guestRate, long seed) {}

  /** What happened, for the summary and for tests. */
  public record Outcome(
      Job job,
      long size,
      long dataBytes,
      long sourceAllocated,
      long destinationAllocated,
      int guestWrites,
      int missingWrites,
      VerifyResponse verify,
      Conversion conversion) {

    public boolean ok() {
      return job.getState() == JobState.COMPLETED && missingWrites == 0 && verify.getEqual()
          && conversion != null && conversion.ok();
    }
  }

  /** The moved volume also written out as qcow2, and compared with it through the agent. */
  public record Conversion(Job job, VerifyResponse verify, long fileBytes) {
    public boolean ok() {
      return job.getState() == JobState.COMPLETED && verify.getEqual();
    }
  }

  private static final String VOLUME = "volume-1.raw";
  private static final String QCOW2 = "volume-1.qcow2";
  private static final long STRIDE = 16L << 20;

  private final Options options;
  private final Consumer<Job> progress;

  public QuickstartDemo(Options options, Consumer<Job> progress) {
    this.options = options;
    this.progress = progress;
  }

  public Outcome run() throws IOException, InterruptedException {
    Path dir = options.dir().toAbsolutePath();
    prepare(dir);
    Path source = dir.resolve("pool-a").resolve(VOLUME);
    long dataBytes;
    try (FileDevice dev = FileDevice.create(source, options.size(), true)) {
      dataBytes = SampleVolume.fill(dev, STRIDE, options.seed());
    }
    Path config = writeConfig(dir);
    try (Agent agent = Agent.start(ConfigLoader.load(config))) {
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", agent.port()).usePlaintext().build();
      try {
        return move(agent, FerryAgentGrpc.newBlockingStub(channel), dataBytes, dir);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private Outcome move(Agent agent, FerryAgentGrpc.FerryAgentBlockingStub api, long dataBytes,
      Path dir) throws IOException, InterruptedException {
    Endpoint from = file("pool-a");
    Endpoint to = file("pool-b");
    SimulatedGuest guest;
    List<SimulatedGuest.Write> writes;
    Job job;
    try (BlockDevice disk = agent.openShared(from)) {
      guest = new SimulatedGuest(disk, options.guestRate(), options.seed() + 1).start();
      job = api.startCopy(StartCopyRequest.newBuilder()
          .setRequestId("quickstart-" + System.nanoTime())
          .setSource(from)
          .setDestination(to)
          .setOptions(CopyOptions.newBuilder()
              .setCreateDestination(true)
              .setVerify(true)
              .setKeepSparse(true)
              .setBandwidthBytesPerSec(options.bandwidth()))
          .putLabels("volume", "volume-1")
          .build());
      job = watch(api, job.getId(), guest);
      writes = guest.stop();
    }
    VerifyResponse verify = api.verify(VerifyRequest.newBuilder().setA(from).setB(to).build());
    Path src = dir.resolve("pool-a").resolve(VOLUME);
    Path dst = dir.resolve("pool-b").resolve(VOLUME);
    int missing = 0;
    long dstAllocated = 0;
    if (Files.exists(dst)) {
      try (FileDevice d = FileDevice.openReadOnly(dst)) {
        missing = SimulatedGuest.missing(writes, d).size();
        dstAllocated = allocated(d);
      }
    }
    long srcAllocated;
    try (FileDevice s = FileDevice.openReadOnly(src)) {
      srcAllocated = allocated(s);
    }
    Conversion conversion = job.getState() == JobState.COMPLETED ? convert(api, to, dir) : null;
    return new Outcome(job, options.size(), dataBytes, srcAllocated, dstAllocated,
        writes.size(), missing, verify, conversion);
  }

  /** Writes the moved volume out as qcow2 (holes stay unallocated clusters) and compares. */
  private Conversion convert(FerryAgentGrpc.FerryAgentBlockingStub api, Endpoint raw, Path dir)
      throws IOException {
    Endpoint qcow2 = Endpoint.newBuilder()
        .setFile(FileImage.newBuilder().setRoot("pool-b").setPath(QCOW2)
            .setFormat(DiskFormat.QCOW2))
        .build();
    Job job = api.startCopy(StartCopyRequest.newBuilder()
        .setRequestId("quickstart-qcow2-" + System.nanoTime())
        .setSource(raw)
        .setDestination(qcow2)
        .setOptions(CopyOptions.newBuilder().setCreateDestination(true).setVerify(true)
            .setDestinationFormat(DiskFormat.QCOW2))
        .putLabels("volume", "volume-1")
        .build());
    Iterator<Job> updates = api.watchJob(WatchJobRequest.newBuilder().setJobId(job.getId()).build());
    while (updates.hasNext()) {
      job = updates.next();
      progress.accept(job);
    }
    VerifyResponse verify = api.verify(VerifyRequest.newBuilder().setA(raw).setB(qcow2).build());
    Path file = dir.resolve("pool-b").resolve(QCOW2);
    return new Conversion(job, verify, Files.exists(file) ? Files.size(file) : 0);
  }

  /**
   * Follows the job to its end. The guest stops writing once the full sync is mostly done, so
   * that its last writes land while the job still merges (a guest that wrote on would be
   * switched to the destination at commit by Nova; here nothing switches it).
   */
  private Job watch(FerryAgentGrpc.FerryAgentBlockingStub api, String id, SimulatedGuest guest)
      throws IOException, InterruptedException {
    Iterator<Job> updates = api.watchJob(WatchJobRequest.newBuilder().setJobId(id).build());
    Job last = null;
    boolean guestStopped = false;
    while (updates.hasNext()) {
      last = updates.next();
      progress.accept(last);
      if (!guestStopped && pastMostOfSync(last)) {
        guest.stop();
        guestStopped = true;
      }
    }
    return last;
  }

  private static boolean pastMostOfSync(Job job) {
    var p = job.getProgress();
    return switch (job.getState()) {
      case QUEUED, PREPARING -> false;
      case SYNCING -> p.getBytesTotal() > 0 && p.getBytesDone() * 10 >= p.getBytesTotal() * 7;
      default -> true;
    };
  }

  private static long allocated(BlockDevice d) throws IOException {
    long sum = 0;
    for (Extent e : d.extents(0, d.size())) {
      sum += e.length();
    }
    return sum;
  }

  private static Endpoint file(String root) {
    return Endpoint.newBuilder()
        .setFile(FileImage.newBuilder().setRoot(root).setPath(VOLUME))
        .build();
  }

  /** A fresh folder each run: both pools empty, no journal left from an earlier run. */
  private static void prepare(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(dir.resolve("pool-a"));
    Files.createDirectories(dir.resolve("pool-b"));
  }

  private static Path writeConfig(Path dir) throws IOException {
    Path config = dir.resolve("ferry-agent.yaml");
    Files.writeString(config, String.join("\n",
        "# Written by the quick start: an agent on loopback with two file-backed pools.",
        "listen: 127.0.0.1:0",
        "insecure_plaintext: true",
        "roots:",
        "  pool-a: pool-a",
        "  pool-b: pool-b",
        "journal_dir: journal",
        "budgets:",
        "  max_concurrent_jobs: 2",
        ""));
    return config;
  }
}
