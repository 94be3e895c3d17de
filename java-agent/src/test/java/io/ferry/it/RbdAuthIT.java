package io.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.device.rbd.CephLab;
import io.ferry.device.rbd.CephLabExtension;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.ListJobsRequest;
import io.ferry.proto.v1.StartCopyRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials and reachability through a real agent process: a lab cluster with cephx ({@code
 * scripts/ceph-lab.sh start --auth cephx}) reached as the restricted user client.ferry with its
 * right key, a wrong key, and a keyring gone after the agent started; and a destination cluster
 * whose monitors do not answer. Each failure is a clear gRPC error naming the cluster (and the
 * keyring), in bounded time, with no job and nothing on either cluster left behind.
 */
@ExtendWith(CephLabExtension.class)
class RbdAuthIT {

  private static final long MIB = 1L << 20;
  private static CephLab c1;
  private static CephLab cx;
  private static AgentProcess agent;
  private static Path wrongKeyring;
  private static Path goneKeyring;

  @TempDir static Path dir;

  @BeforeAll
  static void start(CephLab first) throws Exception {
    c1 = first;
    cx = CephLab.start("rbd-cx", "--auth", "cephx", "--osd-size", "2G");
    wrongKeyring = dir.resolve("wrong.keyring");
    c1.sh("ceph-authtool --create-keyring " + wrongKeyring + " --gen-key -n client.ferry >/dev/null");
    goneKeyring = dir.resolve("gone.keyring");
    Files.copy(cx.clientKeyring(), goneKeyring);
    Path dead = dir.resolve("dead.conf");
    Files.writeString(dead, "[global]\nmon_host = 127.0.0.1:9\nauth_client_required = none\n");
    Files.createDirectories(dir.resolve("files"));
    int port = AgentProcess.freePort();
    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, "listen: 127.0.0.1:" + port + "\ninsecure_plaintext: true\n"
        + "roots:\n  default: files\njournal_dir: journal\nclusters:\n"
        + "  c1:\n    ceph_conf: " + c1.conf() + "\n"
        + cluster("cx-good", cx.clientKeyring())
        + cluster("cx-wrong", wrongKeyring)
        + cluster("cx-gone", goneKeyring)
        + "  dead:\n    ceph_conf: " + dead + "\n");
    agent = new AgentProcess(config, dir.resolve("agent.log"), port).start();
    Files.delete(goneKeyring); // after the agent checked its config: gone at use
  }

  private static String cluster(String id, Path keyring) {
    return "  " + id + ":\n    ceph_conf: " + cx.conf() + "\n    client_id: ferry\n    keyring: "
        + keyring + "\n";
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (cx != null && !Boolean.getBoolean("ferry.it.keepCeph")) {
      cx.purge();
    }
  }

  @Test
  void theRestrictedUserWithItsKeyCopiesIntoTheCephxCluster() {
    c1.rbd("create", "--size", "8M", "a/auth-src");
    try {
      RbdAgentIT.fio(c1, "a/auth-src", "write", MIB, 3 * MIB);
      Job done = copy("auth-good", RbdAgentIT.rbd("c1", "a", "auth-src"),
          RbdAgentIT.rbd("cx-good", "a", "auth-dst"));
      assertThat(done.getState()).as(done.getError().getMessage()).isEqualTo(JobState.COMPLETED);
      assertThat(cx.exportSha256("a/auth-dst")).isEqualTo(c1.exportSha256("a/auth-src"));
    } finally {
      c1.rbd("rm", "--no-progress", "a/auth-src");
      cx.sh("rbd rm --no-progress a/auth-dst || true");
    }
  }

  @Test
  void aWrongKeyIsPermissionDeniedNamingClusterAndKeyring() {
    c1.rbd("create", "--size", "4M", "a/auth-src2");
    try {
      expectRefused("auth-wrong", "a/auth-src2", "cx-wrong", Status.Code.PERMISSION_DENIED,
          List.of("cx-wrong", wrongKeyring.toString(), "client.ferry"));
      // As a source too: nothing is read, nothing is created.
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> agent.api().startCopy(request("auth-wrong-src",
          RbdAgentIT.rbd("cx-wrong", "a", "anything"), RbdAgentIT.rbd("c1", "b", "auth-never"))))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).contains("cx-wrong", wrongKeyring.toString());
          });
      assertThat(seconds(t0)).as("refused in bounded time").isLessThan(30);
      assertThat(c1.images("b")).doesNotContain("auth-never", "auth-never.ferry-part");
    } finally {
      c1.rbd("rm", "--no-progress", "a/auth-src2");
    }
  }

  @Test
  void aKeyringGoneAfterStartIsFailedPreconditionNamingIt() {
    c1.rbd("create", "--size", "4M", "a/auth-src3");
    try {
      expectRefused("auth-gone", "a/auth-src3", "cx-gone", Status.Code.FAILED_PRECONDITION,
          List.of("cx-gone", goneKeyring.toString()));
    } finally {
      c1.rbd("rm", "--no-progress", "a/auth-src3");
    }
  }

  @Test
  void anUnreachableDestinationClusterFailsInBoundedTime() {
    c1.rbd("create", "--size", "4M", "a/auth-src4");
    try {
      expectRefused("auth-dead", "a/auth-src4", "dead", Status.Code.UNAVAILABLE, List.of("dead"));
    } finally {
      c1.rbd("rm", "--no-progress", "a/auth-src4");
    }
  }

  /** A copy from c1 {@code src} to {@code cluster} is refused at start; nothing stays behind. */
  private static void expectRefused(String requestId, String src, String cluster,
      Status.Code code, List<String> named) {
    List<String> before = cx.images("a");
    List<String> c1Before = c1.images("a");
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> agent.api().startCopy(request(requestId,
        RbdAgentIT.rbd("c1", "a", src.substring(2)), RbdAgentIT.rbd(cluster, "a", "auth-x"))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
          assertThat(e.getStatus().getDescription()).contains(named);
          assertThat(e.getStatus().getDescription()).doesNotContain("AQ"); // no key material
        });
    double took = seconds(t0);
    assertThat(took).as("refused in bounded time (%.1f s)", took).isLessThan(60);
    assertThat(agent.api().listJobs(ListJobsRequest.getDefaultInstance()).getJobsList())
        .as("no job was made").noneMatch(j -> j.getRequestId().equals(requestId));
    assertThat(cx.images("a")).as("nothing left on the cephx cluster").isEqualTo(before);
    assertThat(c1.images("a")).as("nothing left on the source cluster").isEqualTo(c1Before);
    assertThat(c1.snapshotNames(src)).as("no snapshot on the source").isEmpty();
  }

  private static StartCopyRequest request(String id, Endpoint src, Endpoint dst) {
    return StartCopyRequest.newBuilder().setRequestId(id).setSource(src).setDestination(dst)
        .setOptions(CopyOptions.newBuilder().setCreateDestination(true)).build();
  }

  private static Job copy(String id, Endpoint src, Endpoint dst) {
    return RbdAgentIT.copy(agent, request(id, src, dst));
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
