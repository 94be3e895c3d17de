package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.ferry.config.AgentConfig;
import io.ferry.config.HostPort;
import io.ferry.config.TlsConfig;
import io.ferry.job.JobService;
import io.ferry.proto.v1.Budgets;
import io.ferry.proto.v1.Capabilities;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.GetCapabilitiesRequest;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Netty server over loopback TCP with mutual TLS, certificates generated here: who gets
 * in and who is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MutualTlsTest {

  TestPki pki;
  TestPki otherPki;
  AgentServer server;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    pki = new TestPki(dir, "ferry");
    otherPki = new TestPki(dir, "rogue");
    TestPki.Leaf agentCert = pki.server("agent");
    AgentConfig config = new AgentConfig(new HostPort("127.0.0.1", 0), false,
        new TlsConfig(agentCert.cert(), agentCert.key(), pki.caFile(),
            List.of("cinder-volume", "spiffe://ferry/operator")),
        Map.of(), dir, null, null, Map.of(), null, null);
    JobService jobs = mock(JobService.class);
    when(jobs.budgets()).thenReturn(Budgets.newBuilder().setMaxConcurrentJobs(2).build());
    CapabilitiesProvider caps = new CapabilitiesProvider(config, jobs,
        CapabilitiesProvider.Formats.rawOnly(), false, null);
    TlsServers.Transport t = TlsServers.forConfig(config);
    server = new AgentServer(t.builder(),
        new FerryAgentService(jobs, caps::get, new StatusMapper(), false, null), t.interceptors())
        .start();
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private Capabilities call(ChannelCredentials creds) throws InterruptedException {
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.port(), creds).build();
    try {
      return FerryAgentGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
          .getCapabilities(GetCapabilitiesRequest.getDefaultInstance());
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private ChannelCredentials client(TestPki.Leaf leaf) throws Exception {
    TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder().trustManager(
        pki.caFile().toFile());
    if (leaf != null) {
      b.keyManager(leaf.cert().toFile(), leaf.key().toFile());
    }
    return b.build();
  }

  @Test
  void anAllowedClientIsServedByItsCommonName() throws Exception {
    assertThat(call(client(pki.client("cinder-volume", null))).getBudgets()
        .getMaxConcurrentJobs()).isEqualTo(2);
  }

  @Test
  void anAllowedClientIsServedByItsUriSan() throws Exception {
    assertThat(call(client(pki.client("laptop", "spiffe://ferry/operator"))).getVersion())
        .isNotEmpty();
  }

  @Test
  void aValidCertificateNotInAllowedClientsIsDenied() throws Exception {
    ChannelCredentials creds = client(pki.client("nova-compute", null));
    assertThatThrownBy(() -> call(creds))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).contains("'nova-compute'")
              .contains("allowed_clients");
        });
  }

  @Test
  void aCertificateFromAnotherCaIsRefused() throws Exception {
    ChannelCredentials creds = client(otherPki.client("cinder-volume", null));
    assertThatThrownBy(() -> call(creds))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void aClientWithoutCertificateIsRefused() throws Exception {
    ChannelCredentials creds = client(null);
    assertThatThrownBy(() -> call(creds))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void aPlaintextClientIsRefused() {
    ChannelCredentials creds = io.grpc.InsecureChannelCredentials.create();
    assertThatThrownBy(() -> call(creds)).isInstanceOf(StatusRuntimeException.class);
  }
}
