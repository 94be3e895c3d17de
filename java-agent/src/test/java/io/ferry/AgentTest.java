package io.ferry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.ferry.config.AgentConfig;
import io.ferry.config.ConfigLoader;
import io.ferry.error.FerryException;
import io.ferry.job.JobService;
import io.ferry.proto.v1.Budgets;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.GetCapabilitiesRequest;
import io.ferry.proto.v1.GetJobRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The integration class: config to server and metrics, and a clean stop. */
class AgentTest {

  @TempDir Path dir;

  AgentConfig config() throws Exception {
    Files.createDirectories(dir.resolve("pool-a"));
    Path file = dir.resolve("agent.yaml");
    Files.writeString(file, """
        listen: 127.0.0.1:0
        insecure_plaintext: true
        roots: {default: pool-a}
        journal_dir: journal
        metrics: {listen: 127.0.0.1:0}
        """);
    return ConfigLoader.load(file);
  }

  @Test
  void servesTheApiAndMetricsAndClosesTheJobsOnStop() throws Exception {
    JobService jobs = mock(JobService.class);
    when(jobs.budgets()).thenReturn(Budgets.newBuilder().setMaxConcurrentJobs(2).build());
    when(jobs.list(any())).thenReturn(List.of());
    when(jobs.get("nope")).thenThrow(FerryException.notFound("job nope"));
    Agent agent = Agent.start(config(), (c, m) -> Agent.Layers.of(jobs, m));
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", agent.port())
        .usePlaintext().build();
    try {
      var stub = FerryAgentGrpc.newBlockingStub(ch);
      assertThat(stub.getCapabilities(GetCapabilitiesRequest.getDefaultInstance())
          .getFileRootsList()).containsExactly("default");
      assertThatThrownBy(() -> stub.getJob(GetJobRequest.newBuilder().setJobId("nope").build()))
          .isInstanceOf(StatusRuntimeException.class);
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + agent.metricsAddress().getPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.body()).contains("ferry_jobs{state=\"syncing\"} 0.0")
          .contains("ferry_errors_total{code=\"NOT_FOUND\",source=\"rpc\"} 1.0");
    } finally {
      ch.shutdownNow();
      agent.close();
    }
    verify(jobs).close();
  }

  @Test
  void aBusyPortIsAClearError() throws Exception {
    JobService jobs = mock(JobService.class);
    try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      AgentConfig c = config().withListen(new io.ferry.config.HostPort("127.0.0.1",
          busy.getLocalPort()));
      assertThatThrownBy(() -> Agent.start(c, (cc, m) -> Agent.Layers.of(jobs, m)))
          .hasMessageContaining("cannot bind");
    }
    verify(jobs).close();
  }

  @Test
  void unreadableTlsMaterialIsAConfigError() throws Exception {
    for (String f : new String[] {"a.crt", "a.key", "ca.crt"}) {
      Files.writeString(dir.resolve(f), "not PEM");
    }
    Path file = dir.resolve("tls.yaml");
    Files.writeString(file, """
        listen: 127.0.0.1:0
        tls: {cert: a.crt, key: a.key, client_ca: ca.crt, allowed_clients: [x]}
        journal_dir: journal
        """);
    JobService jobs = mock(JobService.class);
    assertThatThrownBy(() -> Agent.start(ConfigLoader.load(file),
        (c, m) -> Agent.Layers.of(jobs, m)))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("config tls:")
        .hasMessageContaining("PKCS#8");
    verify(jobs).close();
  }

  @Test
  void theVirtLayerTurnsOnLiveMirrorsBlockJobsAndLibvirtInCapabilities() throws Exception {
    JobService jobs = mock(JobService.class);
    when(jobs.budgets()).thenReturn(Budgets.getDefaultInstance());
    io.ferry.server.BlockJobHook hook = mock(io.ferry.server.BlockJobHook.class);
    when(hook.list(any())).thenReturn(List.of(io.ferry.proto.v1.BlockJob.newBuilder()
        .setDomain("vm").build()));
    Agent agent = Agent.start(config(), (c, m) -> new Agent.Layers(jobs, m.create(jobs),
        io.ferry.server.CapabilitiesProvider.Formats.rawOnly(), null,
        new Agent.Virt(true, true, hook)));
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", agent.port())
        .usePlaintext().build();
    try {
      var stub = FerryAgentGrpc.newBlockingStub(ch);
      assertThat(stub.getCapabilities(GetCapabilitiesRequest.getDefaultInstance())
          .getLibvirtAvailable()).isTrue();
      assertThat(stub.listBlockJobs(io.ferry.proto.v1.ListBlockJobsRequest.getDefaultInstance())
          .getJobsCount()).isEqualTo(1);
    } finally {
      ch.shutdownNow();
      agent.close();
    }
  }
}
