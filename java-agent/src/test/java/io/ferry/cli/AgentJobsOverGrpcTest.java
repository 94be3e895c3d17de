package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.cloud.FakeOpenStackAccess;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.ListJobsRequest;
import io.ferry.proto.v1.ListJobsResponse;
import io.ferry.proto.v1.Progress;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** migrate and repair asking a (plaintext, loopback) agent for the jobs of a volume. */
class AgentJobsOverGrpcTest {

  @TempDir Path dir;
  FakeOpenStackAccess os;
  CloudCliFixture cli;
  Server agent;
  final List<Map<String, String>> queries = new CopyOnWriteArrayList<>();
  volatile JobState jobState = JobState.SYNCING;
  final List<String> caps = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    os = FakeOpenStackAccess.start();
    os.standardWithVolume("v1", 10);
    cli = new CloudCliFixture(dir, os.authUrl(), os.password());
    agent = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new FerryAgentGrpc.FerryAgentImplBase() {
          @Override
          public void listJobs(ListJobsRequest req, StreamObserver<ListJobsResponse> out) {
            queries.add(req.getLabelsMap());
            ListJobsResponse.Builder r = ListJobsResponse.newBuilder();
            String vol = req.getLabelsMap().get("volume_id");
            if (vol != null && (vol.equals("v1") || vol.startsWith("fleet-"))) {
              r.addJobs(Job.newBuilder().setId(vol.equals("v1") ? "j-42" : "j-" + vol)
                  .setState(jobState).putLabels("volume_id", vol)
                  .setProgress(Progress.newBuilder().setBytesDone(5L << 30)
                      .setBytesTotal(10L << 30).setRateBytesPerSec(100L << 20)));
            }
            out.onNext(r.build());
            out.onCompleted();
          }

          @Override
          public void setBandwidth(io.ferry.proto.v1.SetBandwidthRequest req,
              StreamObserver<Job> out) {
            caps.add(req.getJobId() + "=" + (req.getBandwidthBytesPerSec() >> 20));
            out.onNext(Job.newBuilder().setId(req.getJobId()).build());
            out.onCompleted();
          }
        }).build().start();
  }

  @AfterEach
  void stop() throws Exception {
    agent.shutdownNow().awaitTermination();
    os.close();
  }

  String agentAddress() {
    return "127.0.0.1:" + agent.getPort();
  }

  @Test
  void migrateShowsTheAgentsJobProgress() {
    MigrateCommand cmd = new MigrateCommand();
    cmd.sleeper = d -> { };
    int code = cli.run(cmd, "v1", "--to", "cinder@ceph-b#rbd-b", "--poll", "0",
        "--agents", agentAddress(), "--plaintext");
    assertThat(code).as(cli.out + "" + cli.err).isZero();
    assertThat(cli.out.toString()).contains("| job j-42 SYNCING 50% 100 MiB/s")
        .doesNotContain("agent job progress not shown");
    assertThat(queries).contains(Map.of("volume_id", "v1"));
  }

  @Test
  void repairSeesTheLiveJobAndLeavesTheVolumeAlone() {
    os.freeze("v1", "maintenance", "migrating");
    RepairCommand cmd = new RepairCommand();
    cmd.sleeper = d -> { };
    int code = cli.run(cmd, "--observe", "0", "--min-age", "0", "--yes",
        "--agents", agentAddress(), "--plaintext");
    assertThat(code).as(cli.out + "" + cli.err).isZero();
    assertThat(cli.out.toString()).contains("job j-42 is SYNCING").contains("agents asked");
    assertThat(os.actions()).isEmpty();
  }

  @Test
  void repairActsOnceTheAgentsJobHasEnded() {
    jobState = JobState.FAILED;
    os.freeze("v1", "maintenance", "migrating");
    RepairCommand cmd = new RepairCommand();
    cmd.sleeper = d -> { };
    int code = cli.run(cmd, "--observe", "0", "--min-age", "0", "--yes",
        "--agents", agentAddress(), "--plaintext");
    assertThat(code).as(cli.out + "" + cli.err).isZero();
    assertThat(os.actions()).containsExactly(
        "v1 os-reset_status {\"status\":\"available\",\"migration_status\":\"error\"}");
  }

  @Test
  void unreachableAgentStopsRepairBeforeAnyChange() throws Exception {
    os.freeze("v1", "maintenance", "migrating");
    String address = agentAddress();
    agent.shutdownNow().awaitTermination();
    RepairCommand cmd = new RepairCommand();
    cmd.sleeper = d -> { };
    int code = cli.run(cmd, "--observe", "0", "--min-age", "0", "--yes",
        "--agents", address, "--plaintext");
    assertThat(code).isEqualTo(8);
    assertThat(cli.err.toString()).contains("agent " + address);
    assertThat(os.actions()).isEmpty();
  }

  @Test
  void evacuationSharesItsBandwidthBudgetAmongTheAgentsJobs() {
    os.fleet(4, 0);
    EvacuateCommand cmd = new EvacuateCommand();
    cmd.sleeper = d -> { };
    int code = cli.run(cmd, "--from", "cinder@ceph-a#rbd-a", "--to", "cinder@ceph-b#rbd-b",
        "--max-parallel", "2", "--max-per-pool", "4", "--bandwidth", "200MiB/s",
        "--assume-rate", "100MiB/s", "--poll", "0", "--state", dir.resolve("s.json").toString(),
        "--agents", agentAddress(), "--plaintext");
    assertThat(code).as(cli.out + "" + cli.err).isZero();
    assertThat(caps).contains("j-fleet-00=100", "j-fleet-01=100");
    assertThat(caps).allSatisfy(c -> assertThat(Long.parseLong(c.split("=")[1]))
        .isLessThanOrEqualTo(200));
  }
}
