package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.reset;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.ferry.config.AgentConfig;
import io.ferry.config.HostPort;
import io.ferry.config.TlsConfig;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.job.JobService;
import io.ferry.proto.v1.Budgets;
import io.ferry.proto.v1.DiskFormat;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobError;
import io.ferry.proto.v1.JobEvent;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.ListJobsRequest;
import io.ferry.proto.v1.Progress;
import io.ferry.proto.v1.StartCopyRequest;
import io.ferry.proto.v1.VerifyResponse;
import io.ferry.server.AgentServer;
import io.ferry.server.CapabilitiesProvider;
import io.ferry.server.FerryAgentService;
import io.ferry.server.StatusMapper;
import io.ferry.server.TestPki;
import io.ferry.server.TlsServers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.TestInstance;
import org.mockito.ArgumentCaptor;

/** The CLI in-process against the real server on loopback (plaintext), the job layer mocked. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliTest {

  final JobService jobs = mock(JobService.class);
  AgentServer server;

  record Run(int code, String out, String err) {}

  @BeforeAll
  void start() throws Exception {
    AgentConfig config = new AgentConfig(new HostPort("127.0.0.1", 0), true, null,
        Map.of(), Path.of("/nonexistent"), null, null, Map.of(), null, null);
    server = server(config);
  }

  AgentServer server(AgentConfig config) throws Exception {
    CapabilitiesProvider caps = new CapabilitiesProvider(config, jobs,
        CapabilitiesProvider.Formats.rawOnly(), false, null);
    TlsServers.Transport t = TlsServers.forConfig(config);
    return new AgentServer(t.builder(),
        new FerryAgentService(jobs, caps::get, new StatusMapper(), false, null), t.interceptors())
        .start();
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @BeforeEach
  void resetMock() {
    reset(jobs);
  }

  Run ferry(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (args.length > 0 && !args[0].startsWith("-") && !args[0].equals("help")) {
      all.addAll(1, List.of("--agent", "127.0.0.1:" + server.port(), "--plaintext"));
    }
    return ferryRaw(all.toArray(String[]::new));
  }

  static Run ferryRaw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = FerryCli.run(args, new PrintWriter(out), new PrintWriter(err), false, 0);
    return new Run(code, out.toString(), err.toString());
  }

  static void assertOneLineError(Run r, int code, String text) {
    assertThat(r.code()).as(r.err()).isEqualTo(code);
    assertThat(r.err()).startsWith("ferry: ").contains(text).endsWith("\n");
    assertThat(r.err().strip()).doesNotContain("\n");
  }

  static Job job(JobState s) {
    return Job.newBuilder().setId("j-1").setRequestId("r-1").setState(s)
        .setProgress(Progress.newBuilder().setBytesDone(1L << 20).setBytesTotal(4L << 20)
            .setBytesCopied(3L << 20).setHoleBytes(1L << 20)).build();
  }

  @ParameterizedTest(name = "ferry {0} --help")
  @ValueSource(strings = {"copy", "convert", "export", "watch", "cancel", "pivot", "verify",
      "bandwidth", "job", "agent", "demo"})
  void everyCommandAnswersHelpWithItsUsageAndExitZero(String command) {
    Run r = ferry(command, "--help");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("Usage: ferry " + command);
    assertThat(r.err()).isEmpty();
  }

  @Test
  void copyBuildsTheRequestFromItsOptions() {
    when(jobs.startCopy(any())).thenReturn(job(JobState.QUEUED));
    Run r = ferry("copy", "rbd:ceph-a/volumes/v1", "file:import:v1.qcow2", "--bandwidth",
        "100MiB/s", "--parallel", "8", "--no-verify", "--create", "--format", "qcow2",
        "--request-id", "r-1", "--label", "volume=v1");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("job j-1 queued (request r-1)\n");
    ArgumentCaptor<StartCopyRequest> c = ArgumentCaptor.forClass(StartCopyRequest.class);
    verify(jobs).startCopy(c.capture());
    StartCopyRequest req = c.getValue();
    assertThat(req.getRequestId()).isEqualTo("r-1");
    assertThat(req.getSource().getRbd().getImage()).isEqualTo("v1");
    assertThat(req.getDestination().getFile().getRoot()).isEqualTo("import");
    assertThat(req.getOptions().getBandwidthBytesPerSec()).isEqualTo(100L << 20);
    assertThat(req.getOptions().getParallelism()).isEqualTo(8);
    assertThat(req.getOptions().getVerify()).isFalse();
    assertThat(req.getOptions().getCreateDestination()).isTrue();
    assertThat(req.getOptions().getDestinationFormat()).isEqualTo(DiskFormat.QCOW2);
    assertThat(req.getLabelsMap()).containsEntry("volume", "v1");
    assertThat(req.getOptions().getCopySnapshots()).isFalse();
  }

  @Test
  void copySnapshotsFlagSetsTheOption() {
    when(jobs.startCopy(any())).thenReturn(job(JobState.QUEUED));
    Run r = ferry("copy", "rbd:ceph-a/volumes/v1", "rbd:ceph-b/volumes/v1", "--create",
        "--copy-snapshots");
    assertThat(r.code()).as(r.err()).isZero();
    ArgumentCaptor<StartCopyRequest> c = ArgumentCaptor.forClass(StartCopyRequest.class);
    verify(jobs).startCopy(c.capture());
    assertThat(c.getValue().getOptions().getCopySnapshots()).isTrue();
  }

  void watchAnswers(Job... updates) {
    when(jobs.watch(eq("j-1"), any())).thenAnswer(inv -> {
      JobService.JobWatcher w = inv.getArgument(1);
      new Thread(() -> {
        for (Job j : updates) {
          w.onUpdate(j);
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
        w.onEnd();
      }).start();
      return (AutoCloseable) () -> {};
    });
  }

  @Test
  void copyWaitFollowsWithPlainLinesAndExitsZeroWhenCompleted() {
    when(jobs.startCopy(any())).thenReturn(job(JobState.QUEUED));
    watchAnswers(job(JobState.SYNCING), job(JobState.VERIFYING), job(JobState.COMPLETED));
    Run r = ferry("copy", "file:a", "file:b", "--create", "--wait");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("j-1 syncing 25% 1.00 MiB/4.00 MiB")
        .contains("j-1 verifying")
        .contains("job j-1 completed: copied 3.00 MiB, holes kept 1.00 MiB")
        .doesNotContain("\r");
  }

  @Test
  void watchOfAFailedJobExitsWithItsCode() {
    Job failed = job(JobState.FAILED).toBuilder().setError(JobError.newBuilder()
        .setCode("DATA_LOSS").setMessage("destination differs at byte 4096")).build();
    watchAnswers(job(JobState.VERIFYING), failed);
    Run r = ferry("watch", "j-1");
    assertThat(r.code()).isEqualTo(ExitCodes.DATA_LOSS);
    assertThat(r.out()).contains("FAILED: destination differs at byte 4096 (DATA_LOSS)");
  }

  @Test
  void jobsJobCancelBandwidthCaps() {
    when(jobs.list(any())).thenReturn(List.of(job(JobState.SYNCING)));
    Run list = ferry("jobs", "--state", "syncing,queued");
    assertThat(list.code()).isZero();
    assertThat(list.out()).contains("j-1").contains("syncing").contains("25%");
    verify(jobs).list(ListJobsRequest.newBuilder().addStates(JobState.SYNCING)
        .addStates(JobState.QUEUED).build());

    when(jobs.get("j-1")).thenReturn(job(JobState.SYNCING).toBuilder().addEvents(JobEvent
        .newBuilder().setState(JobState.SYNCING).setKind("state").setMessage("sync started"))
        .build());
    Run one = ferry("job", "j-1");
    assertThat(one.out()).contains("state:        syncing").contains("sync started");

    when(jobs.cancel("j-1")).thenReturn(job(JobState.CANCELLING));
    assertThat(ferry("cancel", "j-1").out()).isEqualTo("job j-1 cancelling\n");

    when(jobs.setBandwidth("j-1", 50L << 20)).thenReturn(job(JobState.SYNCING));
    assertThat(ferry("bandwidth", "j-1", "50MiB/s").out())
        .isEqualTo("job j-1 bandwidth 50.0 MiB/s\n");

    when(jobs.budgets()).thenReturn(Budgets.newBuilder().setMaxConcurrentJobs(2).build());
    assertThat(ferry("caps").out()).contains("budgets:      2 concurrent jobs, unlimited total");
  }

  @Test
  void pivotAsksTheAgentAndReportsARefusalWithItsExitCode() {
    when(jobs.pivot("j-1")).thenReturn(job(JobState.READY));
    Run ok = ferry("pivot", "j-1");
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).isEqualTo("job j-1 ready: pivot requested\n");

    when(jobs.pivot("j-2")).thenThrow(FerryException.precondition("job j-2 is SYNCING: a live "
        + "mirror pivots only when READY"));
    Run refused = ferry("pivot", "j-2");
    assertThat(refused.code()).isEqualTo(ExitCodes.FAILED_PRECONDITION);
    assertThat(refused.err()).contains("only when READY");
  }

  @Test
  void verifyExitsZeroWhenEqualAndNineWhenNot() {
    when(jobs.verify(any())).thenReturn(VerifyResponse.newBuilder().setEqual(true)
        .setBytesCompared(1L << 30).build());
    Run same = ferry("verify", "file:a", "file:b");
    assertThat(same.code()).isZero();
    assertThat(same.out()).isEqualTo("equal: 1.00 GiB compared\n");
    when(jobs.verify(any())).thenReturn(VerifyResponse.newBuilder().setEqual(false)
        .setFirstDifference(4096).setSizeA(8192).setSizeB(8192).build());
    assertOneLineError(ferry("verify", "file:a", "file:b"), ExitCodes.DATA_LOSS,
        "file:a and file:b differ first at byte 4096");
  }

  @Test
  void agentErrorsAreOneLineWithDistinctExitCodes() {
    when(jobs.get("nope")).thenThrow(FerryException.notFound("job nope: no such job; "
        + "list jobs with `ferry jobs`"));
    assertOneLineError(ferry("job", "nope"), ExitCodes.NOT_FOUND, "job nope: no such job");
    when(jobs.startCopy(any())).thenThrow(new FerryException(Reason.FAILED_PRECONDITION,
        "source: in use"));
    assertOneLineError(ferry("copy", "file:a", "file:b"), ExitCodes.FAILED_PRECONDITION,
        "source: in use");
    assertOneLineError(ferry("copy", "file:a", "file:../b"), ExitCodes.INVALID_ARGUMENT,
        "destination.file.path: may not contain '..'");
  }

  @Test
  void usageErrorsAreOneLineExitTwo() {
    assertOneLineError(ferry("copy", "/tmp/a", "file:b"), ExitCodes.USAGE,
        "endpoint '/tmp/a' starts with neither");
    assertOneLineError(ferry("copy", "file:a"), ExitCodes.USAGE, "Missing required parameter");
    assertOneLineError(ferry("jobs", "--bogus"), ExitCodes.USAGE, "Unknown option");
    assertOneLineError(ferry("jobs", "--state", "running"), ExitCodes.USAGE,
        "--state: unknown state 'running'");
    assertOneLineError(ferry("bandwidth", "j-1", "fast"), ExitCodes.USAGE, "RATE: ");
    assertOneLineError(ferry("copy", "file:a", "file:b", "--format", "iso"), ExitCodes.USAGE,
        "--format: unknown format 'iso'");
    assertOneLineError(ferryRaw("caps", "--agent", "127.0.0.1:1"), ExitCodes.USAGE,
        "no client certificate");
  }

  @Test
  void anUnreachableAgentExitsEight() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertOneLineError(ferryRaw("caps", "--agent", "127.0.0.1:" + port, "--plaintext"),
        ExitCodes.UNAVAILABLE, "cannot reach the agent at 127.0.0.1:" + port);
  }

  @Test
  void helpListsCommandsAndExitCodes() {
    Run r = ferryRaw("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("copy").contains("watch").contains("Exit codes:")
        .contains("9   data differs");
  }

  @Test
  void talksMutualTlsWithCertificateOptions(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    TestPki pki = new TestPki(dir, "cli");
    TestPki.Leaf agentCert = pki.server("agent");
    TestPki.Leaf me = pki.client("ferry-operator", null);
    AgentConfig config = new AgentConfig(new HostPort("127.0.0.1", 0), false,
        new TlsConfig(agentCert.cert(), agentCert.key(), pki.caFile(), List.of("ferry-operator")),
        Map.of(), dir, null, null, Map.of(), null, null);
    when(jobs.budgets()).thenReturn(Budgets.getDefaultInstance());
    try (AgentServer tls = server(config)) {
      String agent = "127.0.0.1:" + tls.port();
      Run ok = ferryRaw("caps", "--agent", agent, "--cert", me.cert().toString(), "--key",
          me.key().toString(), "--ca", pki.caFile().toString());
      assertThat(ok.code()).as(ok.err()).isZero();
      TestPki.Leaf stranger = pki.client("someone", null);
      assertOneLineError(ferryRaw("caps", "--agent", agent, "--cert", stranger.cert().toString(),
          "--key", stranger.key().toString(), "--ca", pki.caFile().toString()),
          ExitCodes.DENIED, "'someone' is not in the agent's tls.allowed_clients");
    }
  }
}
