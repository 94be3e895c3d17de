package io.ferry.server;

import io.ferry.config.AgentConfig;
import io.ferry.config.ConfigLoader;
import io.ferry.job.JobService;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.List;

/** The real service on the in-process transport, in front of a given JobService. */
final class InProcessAgent implements AutoCloseable {

  static final AgentConfig CONFIG = ConfigLoader.parse("test", """
      insecure_plaintext: true
      journal_dir: /nonexistent
      budgets: {max_concurrent_jobs: 3, total_bandwidth: 100MiB/s}
      clusters:
        ceph-a: {ceph_conf: /etc/ceph/ceph.conf}
      """);

  final AgentServer server;
  final ManagedChannel channel;
  final FerryAgentGrpc.FerryAgentBlockingStub stub;

  InProcessAgent(JobService jobs, boolean liveMirror, BlockJobHook hook) throws Exception {
    String name = InProcessServerBuilder.generateName();
    CapabilitiesProvider caps = new CapabilitiesProvider(CONFIG, jobs,
        CapabilitiesProvider.Formats.rawOnly(), false, null);
    FerryAgentService api =
        new FerryAgentService(jobs, caps::get, new StatusMapper(), liveMirror, hook);
    server = new AgentServer(InProcessServerBuilder.forName(name).directExecutor(), api, List.of())
        .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = FerryAgentGrpc.newBlockingStub(channel);
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.close();
  }
}
