package io.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.GetJobRequest;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobEvent;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.ListExportsRequest;
import io.ferry.proto.v1.NbdAddress;
import io.ferry.proto.v1.NbdExportInfo;
import io.ferry.proto.v1.StartCopyRequest;
import io.ferry.proto.v1.StopExportRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6: the NBD export of a completed online conversion outlives agent restarts. A real agent
 * process converts online, is stopped (SIGTERM) or killed (SIGKILL) and started again; the
 * export comes back at the same address under the same id, and qemu-img/qemu-io read through it
 * what the conversion and the clients' writes left. An address that can no longer be bound
 * leaves the job COMPLETED with an event saying why.
 */
class OnlineExportRestartIT {

  @TempDir Path dir;
  private Path config;
  private Path log;
  private int port;

  @BeforeEach
  void setUp() throws Exception {
    for (String t : List.of("qemu-img", "qemu-io")) {
      assumeTrue(Files.isExecutable(Path.of("/usr/bin", t)), t + " missing (qemu-utils)");
    }
    Files.createDirectories(dir.resolve("in"));
    Files.createDirectories(dir.resolve("out"));
    port = AgentProcess.freePort();
    config = dir.resolve("agent.yaml");
    Files.writeString(config, "listen: 127.0.0.1:" + port + "\ninsecure_plaintext: true\n"
        + "roots:\n  in: in\n  out: out\njournal_dir: journal\n");
    log = dir.resolve("agent.log");
  }

  @Test
  void theExportComesBackAtItsBoundPortAfterStopAndKillUntilAnOperatorStopsIt()
      throws Exception {
    Path oracle = makeSource();
    String jobId;
    String uri;
    String exportId;
    try (AgentProcess agent = new AgentProcess(config, log, port).start()) {
      Job job = convert(agent, NbdAddress.newBuilder().setTcp("127.0.0.1:0").build());
      jobId = job.getId();
      uri = job.getExportUri();
      exportId = job.getExportId();
      assertThat(uri).startsWith("nbd://127.0.0.1:").doesNotContain(":0/");
      write(uri, oracle, "write -P 0x5a 1M 64k", "write -P 0x5b 9M 300k");
    }
    assertThat(run("qemu-io", "-f", "raw", "-c", "read 0 4k", uri).exit())
        .as("the export is down with the agent").isNotZero();

    try (AgentProcess agent = new AgentProcess(config, log, port).start()) {
      assertRestored(agent, jobId, exportId, uri);
      qemu("qemu-img", "compare", "-f", "raw", "-F", "raw", oracle.toString(), uri);
      write(uri, oracle, "write -P 0x5c 3M 4k");
      agent.kill9(); // a crash keeps the export too
    }

    try (AgentProcess agent = new AgentProcess(config, log, port).start()) {
      assertRestored(agent, jobId, exportId, uri);
      qemu("qemu-io", "-f", "raw", "-c", "read -P 0x5c 3M 4k", "-c", "read -P 0x5b 9M 300k",
          uri);
      qemu("qemu-img", "compare", "-f", "raw", "-F", "raw", oracle.toString(), uri);
      agent.api().stopExport(StopExportRequest.newBuilder().setExportId(exportId).build());
    }

    try (AgentProcess agent = new AgentProcess(config, log, port).start()) {
      assertThat(agent.api().listExports(ListExportsRequest.getDefaultInstance())
          .getExportsList()).as("stopped by an operator: not served again").isEmpty();
      assertThat(get(agent, jobId).getState()).isEqualTo(JobState.COMPLETED);
    }
    qemu("qemu-img", "compare", "-f", "raw", "-F", "raw", oracle.toString(),
        dir.resolve("out/dst.raw").toString());
  }

  @Test
  void aTakenAddressLeavesTheJobCompletedAndSaysWhyUntilTheAddressIsFree() throws Exception {
    Path oracle = makeSource();
    int exportPort = AgentProcess.freePort();
    String jobId;
    String uri;
    try (AgentProcess agent = new AgentProcess(config, log, port).start()) {
      Job job = convert(agent, NbdAddress.newBuilder().setTcp("127.0.0.1:" + exportPort).build());
      jobId = job.getId();
      uri = job.getExportUri();
      write(uri, oracle, "write -P 0x77 5M 128k");
    }

    try (ServerSocket squatter = new ServerSocket(exportPort, 1,
            InetAddress.getLoopbackAddress());
        AgentProcess agent = new AgentProcess(config, log, port).start()) {
      assertThat(agent.api().listExports(ListExportsRequest.getDefaultInstance())
          .getExportsList()).isEmpty();
      Job job = get(agent, jobId);
      assertThat(job.getState()).isEqualTo(JobState.COMPLETED);
      JobEvent last = job.getEvents(job.getEventsCount() - 1);
      assertThat(last.getKind()).isEqualTo("export");
      assertThat(last.getMessage()).contains("not restored", "127.0.0.1:" + exportPort,
          "stays COMPLETED", "free the address and restart the agent");
    }

    try (AgentProcess agent = new AgentProcess(config, log, port).start()) {
      assertThat(agent.api().listExports(ListExportsRequest.getDefaultInstance())
          .getExportsList()).singleElement()
          .satisfies(e -> assertThat(e.getUri()).isEqualTo(uri));
      qemu("qemu-img", "compare", "-f", "raw", "-F", "raw", oracle.toString(), uri);
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** A qcow2 source with data and holes; returns the oracle: its raw conversion by qemu-img. */
  private Path makeSource() throws Exception {
    Path src = dir.resolve("in/src.qcow2");
    qemu("qemu-img", "create", "-q", "-f", "qcow2", src.toString(), "16M");
    qemu("qemu-io", "-f", "qcow2", "-c", "write -P 0x11 0 2M", "-c", "write -P 0x22 8M 2M",
        "-c", "write -P 0x33 13M 1M", src.toString());
    Path oracle = dir.resolve("oracle.raw");
    qemu("qemu-img", "convert", "-f", "qcow2", "-O", "raw", src.toString(), oracle.toString());
    return oracle;
  }

  private static Job convert(AgentProcess agent, NbdAddress address) throws Exception {
    Job job = agent.api().startCopy(StartCopyRequest.newBuilder().setRequestId("online-restart")
        .setSource(file("in", "src.qcow2")).setDestination(file("out", "dst.raw"))
        .setOptions(CopyOptions.newBuilder().setCreateDestination(true).setOnline(true)
            .setOnlineExport(address)).build());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      job = get(agent, job.getId());
      if (job.getState() == JobState.COMPLETED) {
        return job;
      }
      if (job.getState() == JobState.FAILED || System.nanoTime() > deadline) {
        throw new AssertionError("online conversion did not complete: " + job);
      }
      Thread.sleep(50);
    }
  }

  private static void assertRestored(AgentProcess agent, String jobId, String exportId,
      String uri) {
    List<NbdExportInfo> exports = agent.api().listExports(ListExportsRequest.getDefaultInstance())
        .getExportsList();
    assertThat(exports).singleElement().satisfies(e -> {
      assertThat(e.getId()).isEqualTo(exportId);
      assertThat(e.getUri()).isEqualTo(uri);
      assertThat(e.getJobId()).isEqualTo(jobId);
      assertThat(e.getReadOnly()).isFalse();
    });
    Job job = get(agent, jobId);
    assertThat(job.getState()).isEqualTo(JobState.COMPLETED);
    assertThat(job.getExportUri()).isEqualTo(uri);
    assertThat(job.getEvents(job.getEventsCount() - 1).getMessage())
        .contains("served again at " + uri);
  }

  /** The same qemu-io writes through the export and on the oracle. */
  private static void write(String uri, Path oracle, String... commands) throws Exception {
    for (String target : List.of(uri, oracle.toString())) {
      List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
      for (String c : commands) {
        cmd.add("-c");
        cmd.add(c);
      }
      cmd.add(target);
      qemu(cmd.toArray(String[]::new));
    }
  }

  private static Job get(AgentProcess agent, String id) {
    return agent.api().getJob(GetJobRequest.newBuilder().setJobId(id).build());
  }

  private static Endpoint file(String root, String path) {
    return Endpoint.newBuilder().setFile(FileImage.newBuilder().setRoot(root).setPath(path))
        .build();
  }

  private record Result(int exit, String out) {}

  private static Result run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + String.join(" ", cmd));
    }
    return new Result(p.exitValue(),
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static void qemu(String... cmd) throws IOException, InterruptedException {
    Result r = run(cmd);
    if (r.exit() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " exited " + r.exit() + ":\n" + r.out());
    }
  }
}
