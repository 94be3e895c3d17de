package io.ferry.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.Agent;
import io.ferry.cli.FerryCli;
import io.ferry.config.ConfigLoader;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.DiskFormat;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.GetJobRequest;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.ListExportsRequest;
import io.ferry.proto.v1.ListJobsRequest;
import io.ferry.proto.v1.NbdAddress;
import io.ferry.proto.v1.NbdExportInfo;
import io.ferry.proto.v1.StartCopyRequest;
import io.ferry.proto.v1.StopExportRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Online conversion end to end: a real agent converts while qemu-io reads and writes through its
 * NBD export, the background pass held back by a bandwidth cap so that it is provably still
 * running; the result is compared with {@code qemu-img compare} against an oracle made by
 * {@code qemu-img convert} plus the same qemu-io writes.
 */
class OnlineConvertIT {

  private static final Set<JobState> ENDED =
      Set.of(JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED);
  /** qemu-io commands run through the export, and on the oracle. */
  private static final String[] WRITES = {
      "write -P 0x5a 1M 64k",      // inside converted-or-not data
      "write -P 0x5b 21M 4k",      // partial region: the rest must come from the source
      "write -P 0x5c 30M 192k",    // in a hole of the source
      "write -z 8M 64k",           // zeroes over data
      "write -P 0x5d 12M 300k"};   // across regions, unaligned length

  @TempDir Path dir;
  private Agent agent;
  private ManagedChannel channel;
  private FerryAgentGrpc.FerryAgentBlockingStub api;
  private Path config;

  @BeforeEach
  void setUp() throws Exception {
    for (String t : List.of("qemu-img", "qemu-io")) {
      assumeTrue(Files.isExecutable(Path.of("/usr/bin", t)), t + " missing (qemu-utils)");
    }
    Files.createDirectories(dir.resolve("in"));
    Files.createDirectories(dir.resolve("out"));
    config = dir.resolve("agent.yaml");
    Files.writeString(config, String.join("\n", "listen: 127.0.0.1:0", "insecure_plaintext: true",
        "roots:", "  in: " + dir.resolve("in"), "  out: " + dir.resolve("out"),
        "journal_dir: " + dir.resolve("j"), ""));
    startAgent();
  }

  @AfterEach
  void tearDown() throws Exception {
    stopAgent();
  }

  @Test
  void qcow2ToRawServedAtOnceKeepsClientWritesAndEndsVerified() throws Exception {
    Path src = dir.resolve("in/src.qcow2");
    qemu("qemu-img", "create", "-q", "-f", "qcow2", src.toString(), "32M");
    qemu("qemu-io", "-f", "qcow2", "-c", "write -P 0x11 0 4M", "-c", "write -P 0x22 8M 2M",
        "-c", "write -P 0x33 20M 2M", "-c", "write -P 0x44 12M 1M", src.toString());
    Path pristine = dir.resolve("pristine.qcow2");
    Files.copy(src, pristine);
    Path oracle = oracle(src, "qcow2");

    String out = cli("convert", "--online", "--socket", "dst.sock", "--bandwidth", "1MiB/s",
        "file:in:src.qcow2", "file:out:dst.raw?format=raw");
    assertThat(out).contains("export nbd+unix:///ferry?socket=");
    String jobId = out.split("\\s+")[1];
    Job job = waitFor(jobId, Set.of(JobState.SYNCING));
    String uri = job.getExportUri();
    assertThat(uri).isEqualTo("nbd+unix:///ferry?socket=" + dir.resolve("j/nbd/dst.sock"));

    // Reads of regions the background pass has not reached are converted on demand: qemu-io
    // checks the pattern (read -P fails on a mismatch).
    qemu("qemu-io", "-f", "raw", "-c", "read -P 0x33 20M 2M", "-c", "read -P 0x22 8M 2M",
        "-c", "read -P 0 28M 1M", uri);
    qemuIo(uri, "raw");
    Job during = get(jobId);
    assertThat(during.getState()).as("background pass still running").isEqualTo(JobState.SYNCING);
    assertThat(during.getProgress().getBytesDone())
        .isLessThan(during.getProgress().getBytesTotal());
    // The whole export already reads as the finished destination.
    qemu("qemu-img", "compare", "-f", "raw", "-F", "raw", oracle.toString(), uri);

    job = waitFor(jobId, ENDED);
    assertThat(job.getState()).as(job.toString()).isEqualTo(JobState.COMPLETED);
    assertThat(job.getEventsList()).anyMatch(e -> e.getMessage().contains("verified equal"));
    Path dst = dir.resolve("out/dst.raw");
    qemu("qemu-img", "compare", "-f", "raw", "-F", "raw", oracle.toString(), dst.toString());
    // The export serves on after the job, and can then be stopped.
    qemu("qemu-io", "-f", "raw", "-c", "read -P 0x5b 21M 4k", "-c", "read -P 0x33 20M 1M", uri);
    List<NbdExportInfo> exports = api.listExports(ListExportsRequest.getDefaultInstance())
        .getExportsList();
    assertThat(exports).singleElement().satisfies(e -> {
      assertThat(e.getJobId()).isEqualTo(jobId);
      assertThat(e.getId()).isEqualTo(get(jobId).getExportId());
    });
    assertThat(cli("unexport", exports.get(0).getId())).contains("stopped");
    assertThat(dir.resolve("j/nbd/dst.sock")).doesNotExist();
    assertThat(get(jobId).getExportUri()).as("no address shown once the export stopped")
        .isEmpty();
    qemu("qemu-img", "compare", "-f", "qcow2", "-F", "qcow2", pristine.toString(),
        src.toString());
  }

  @Test
  void rawToQcow2OverTcpResumesAfterAnAgentRestartWithoutLosingWrites() throws Exception {
    Path src = dir.resolve("in/src.raw");
    qemu("qemu-img", "create", "-q", "-f", "raw", src.toString(), "32M");
    qemu("qemu-io", "-f", "raw", "-c", "write -P 0x11 0 6M", "-c", "write -P 0x22 10M 3M",
        "-c", "write -P 0x33 20M 4M", src.toString());
    Path oracle = oracle(src, "raw");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Job job = api.startCopy(StartCopyRequest.newBuilder().setRequestId("online-tcp")
        .setSource(file("in", "src.raw")).setDestination(file("out", "dst.qcow2"))
        .setOptions(CopyOptions.newBuilder().setCreateDestination(true).setOnline(true)
            .setDestinationFormat(DiskFormat.QCOW2).setBandwidthBytesPerSec(1 << 20)
            .setOnlineExport(NbdAddress.newBuilder().setTcp("127.0.0.1:" + port))).build());
    job = waitFor(job.getId(), Set.of(JobState.SYNCING));
    String uri = job.getExportUri();
    assertThat(uri).isEqualTo("nbd://127.0.0.1:" + port + "/ferry");
    List<String> first = List.of(WRITES).subList(0, 3);
    qemuIo(uri, "raw", first);

    stopAgent(); // shutdown mid-conversion: the export stops, the job stays for the next start
    assertThat(Tools.run("qemu-io", "-f", "raw", "-c", "read 0 4k", uri).exit()).isNotZero();
    startAgent();
    job = waitFor(job.getId(), Set.of(JobState.SYNCING, JobState.MERGING, JobState.VERIFYING));
    assertThat(job.getProgress().getRestarts()).isEqualTo(1);
    assertThat(job.getExportUri()).isEqualTo(uri);
    qemuIo(uri, "raw", List.of(WRITES).subList(3, WRITES.length));

    job = waitFor(job.getId(), ENDED);
    assertThat(job.getState()).as(job.toString()).isEqualTo(JobState.COMPLETED);
    Path dst = dir.resolve("out/dst.qcow2");
    qemu("qemu-img", "check", "-q", dst.toString());
    qemu("qemu-img", "compare", "-f", "raw", "-F", "qcow2", oracle.toString(), dst.toString());
    qemu("qemu-img", "compare", "-f", "raw", "-F", "raw", oracle.toString(), uri);
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** qemu-img convert of the source to raw, then the same writes as the clients make. */
  private Path oracle(Path src, String format) throws Exception {
    Path oracle = dir.resolve("oracle.raw");
    qemu("qemu-img", "convert", "-f", format, "-O", "raw", src.toString(), oracle.toString());
    qemuIo(oracle.toString(), "raw");
    return oracle;
  }

  private static void qemuIo(String target, String format) throws Exception {
    qemuIo(target, format, List.of(WRITES));
  }

  private static void qemuIo(String target, String format, List<String> commands)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", format));
    for (String c : commands) {
      cmd.add("-c");
      cmd.add(c);
    }
    cmd.add(target);
    qemu(cmd.toArray(String[]::new));
  }

  private static Endpoint file(String root, String path) {
    return Endpoint.newBuilder().setFile(FileImage.newBuilder().setRoot(root).setPath(path))
        .build();
  }

  private void startAgent() throws IOException {
    agent = Agent.start(ConfigLoader.load(config));
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", agent.port()).usePlaintext().build();
    api = FerryAgentGrpc.newBlockingStub(channel);
  }

  private void stopAgent() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      channel = null;
    }
    if (agent != null) {
      agent.close();
      agent = null;
    }
  }

  private String cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--agent=127.0.0.1:" + agent.port());
    all.add(1, "--plaintext");
    int code = FerryCli.run(all.toArray(String[]::new), new PrintWriter(out, true),
        new PrintWriter(err, true), false, 1000);
    assertThat(code).as(out + "\n" + err).isZero();
    return out.toString();
  }

  private Job get(String id) {
    return api.getJob(GetJobRequest.newBuilder().setJobId(id).build());
  }

  private Job waitFor(String id, Set<JobState> states) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      Job j = get(id);
      if (states.contains(j.getState()) && (!j.getExportUri().isEmpty()
          || ENDED.contains(j.getState()))) {
        return j;
      }
      if (ENDED.contains(j.getState()) || System.nanoTime() > deadline) {
        throw new AssertionError("job " + id + " is " + j.getState() + ", waited for " + states
            + ": " + j);
      }
      Thread.sleep(50);
    }
  }

  private static String qemu(String... cmd) throws IOException, InterruptedException {
    Tools.Result r = Tools.run(cmd);
    if (r.exit() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " exited " + r.exit() + ":\n" + r.out());
    }
    return r.out();
  }

  /** Runs a tool with a timeout. */
  static final class Tools {
    record Result(int exit, String out) {}

    static Result run(String... cmd) throws IOException, InterruptedException {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + String.join(" ", cmd));
      }
      return new Result(p.exitValue(),
          new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
