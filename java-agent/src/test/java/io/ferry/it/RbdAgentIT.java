package io.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.rbd.CephLab;
import io.ferry.device.rbd.CephLabExtension;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.RbdImage;
import io.ferry.proto.v1.RbdLayout;
import io.ferry.proto.v1.StartCopyRequest;
import io.ferry.proto.v1.WatchJobRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RBD copy jobs through a real agent process and its gRPC API on the lab clusters: snapshots
 * carried over (copy_snapshots) and the destination's layout following the source's. Checked
 * with the {@code rbd} CLI.
 */
@ExtendWith(CephLabExtension.class)
class RbdAgentIT {

  private static final long MIB = 1L << 20;
  private static CephLab c1;
  private static CephLab c2;
  private static AgentProcess agent;

  @TempDir static Path dir;

  @BeforeAll
  static void start(CephLab first, @CephLabExtension.Second CephLab second) throws Exception {
    c1 = first;
    c2 = second;
    Files.createDirectories(dir.resolve("files"));
    int port = AgentProcess.freePort();
    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, "listen: 127.0.0.1:" + port + "\ninsecure_plaintext: true\n"
        + "roots:\n  default: files\njournal_dir: journal\nclusters:\n"
        + "  c1:\n    ceph_conf: " + c1.conf() + "\n"
        + "  c2:\n    ceph_conf: " + c2.conf() + "\n");
    agent = new AgentProcess(config, dir.resolve("agent.log"), port).start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
  }

  static Endpoint rbd(String cluster, String pool, String image) {
    return Endpoint.newBuilder().setRbd(RbdImage.newBuilder()
        .setClusterId(cluster).setPool(pool).setImage(image)).build();
  }

  /** Starts a copy and follows it to its end. */
  static Job copy(String requestId, Endpoint src, Endpoint dst, CopyOptions options) {
    return copy(agent, StartCopyRequest.newBuilder().setRequestId(requestId)
        .setSource(src).setDestination(dst).setOptions(options).build());
  }

  /** Starts a copy on {@code agent} and follows it to its end. */
  static Job copy(AgentProcess agent, StartCopyRequest request) {
    Job job = agent.api().startCopy(request);
    return follow(agent, job);
  }

  static Job follow(AgentProcess agent, Job job) {
    Iterator<Job> it = agent.api().withDeadlineAfter(5, TimeUnit.MINUTES)
        .watchJob(WatchJobRequest.newBuilder().setJobId(job.getId()).build());
    Job last = job;
    while (it.hasNext()) {
      last = it.next();
    }
    return last;
  }

  /** fio through librbd: random data ({@code trim}: discard) over [offset, offset+length). */
  static void fio(CephLab lab, String spec, String rw, long offset, long length) {
    String[] pi = spec.split("/");
    lab.sh("fio --name=w --ioengine=rbd --clientname=admin --pool=" + pi[0] + " --rbdname=" + pi[1]
        + " --rw=" + rw + " --bs=" + Math.min(length, MIB) + " --offset=" + offset + " --size="
        + length + " --refill_buffers --randrepeat=0 --output=/dev/null");
  }

  /** {@code rbd du}'s used bytes of the image and all its snapshots, summed. */
  static long totalUsed(CephLab lab, String spec) {
    return Long.parseLong(lab.sh("rbd du --format json " + spec + " | /usr/bin/python3 -c "
        + "'import json,sys; print(sum(i[\"used_size\"] for i in json.load(sys.stdin)[\"images\"]))'")
        .trim());
  }

  /** Layout fields of {@code rbd info --format json}, one "key=value" per field. */
  static String layout(CephLab lab, String spec) {
    return lab.sh("rbd info --format json " + spec + " | /usr/bin/python3 -c 'import json,sys\n"
        + "i = json.load(sys.stdin)\n"
        + "for k in (\"size\", \"order\", \"object_size\", \"stripe_unit\", \"stripe_count\","
        + " \"data_pool\", \"features\"):\n"
        + "    print(k + \"=\" + str(i.get(k)))'").trim();
  }

  /** Three snapshots (s1 protected), data written and discarded between them, a resize. */
  static void makeSnapshotSource(String src) {
    c1.rbd("create", "--size", "32M", src);
    fio(c1, src, "write", 0, 4 * MIB);
    c1.rbd("snap", "create", src + "@s1");
    c1.rbd("snap", "protect", src + "@s1");
    fio(c1, src, "write", 8 * MIB, 4 * MIB);
    fio(c1, src, "trim", 0, MIB);
    c1.rbd("snap", "create", src + "@s2");
    c1.rbd("resize", "--no-progress", "--size", "40M", src);
    fio(c1, src, "write", 36 * MIB + 4096, MIB);
    c1.rbd("snap", "create", src + "@s3");
    fio(c1, src, "write", 20 * MIB, MIB);
    fio(c1, src, "trim", 8 * MIB, MIB);
  }

  /** Within cluster c1 (pool a to b) and across clusters (c1 to c2). */
  @ParameterizedTest
  @ValueSource(strings = {"c1", "c2"})
  void copySnapshotsCarriesThemInOrderWithTheirContentAndProtection(String to) {
    String src = "a/snaps-src-" + to;
    CephLab dl = to.equals("c1") ? c1 : c2;
    String dst = "b/snaps-dst";
    try {
      makeSnapshotSource(src);
      Job done = copy("snaps-" + to, rbd("c1", "a", "snaps-src-" + to), rbd(to, "b", "snaps-dst"),
          CopyOptions.newBuilder().setCreateDestination(true).setCopySnapshots(true).build());

      assertThat(done.getState()).as(done.getError().getMessage()).isEqualTo(JobState.COMPLETED);
      assertThat(done.getEventsList()).anyMatch(e -> e.getMessage().startsWith("carried snapshot s3"));
      assertThat(dl.snapshotNames(dst)).containsExactly("s1", "s2", "s3");
      for (String s : List.of("s1", "s2", "s3")) {
        assertThat(dl.exportSha256(dst + "@" + s)).as("rbd export --snap " + s)
            .isEqualTo(c1.exportSha256(src + "@" + s));
      }
      assertThat(dl.exportSha256(dst)).as("head").isEqualTo(c1.exportSha256(src));
      assertThat(dl.rbd("info", dst + "@s1")).contains("protected: True");
      assertThat(dl.rbd("info", dst + "@s2")).contains("protected: False");
      long srcUsed = totalUsed(c1, src);
      long dstUsed = totalUsed(dl, dst);
      System.out.printf("RbdAgentIT copy_snapshots to %s: rbd du total %d (source %d)%n", to,
          dstUsed, srcUsed);
      assertThat(dstUsed).as("holes kept: rbd du total of destination <= source")
          .isLessThanOrEqualTo(srcUsed);
      assertThat(c1.snapshotNames(src)).as("source keeps exactly its own snapshots")
          .containsExactly("s1", "s2", "s3");
    } finally {
      purge(c1, src);
      purge(dl, dst);
    }
  }

  /**
   * A copy_snapshots job cancelled while it carries snapshots removes the part image with the
   * snapshots it made there (protected ones included) and its temporary snapshot on the source,
   * and nothing else.
   */
  @Test
  void cancelWhileCarryingSnapshotsLeavesNothingBehind() throws Exception {
    String src = "a/snaps-cancel";
    try {
      makeSnapshotSource(src);
      fio(c1, src, "write", 0, 40 * MIB); // enough data that the capped carry takes seconds
      c1.rbd("snap", "create", src + "@s4");
      Job job = agent.api().startCopy(StartCopyRequest.newBuilder().setRequestId("snaps-cancel")
          .setSource(rbd("c1", "a", "snaps-cancel")).setDestination(rbd("c2", "b", "snaps-cancel"))
          .setOptions(CopyOptions.newBuilder().setCreateDestination(true).setCopySnapshots(true)
              .setBandwidthBytesPerSec(4 * MIB)).build());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!c2.sh("rbd snap ls --format json b/snaps-cancel.ferry-part 2>/dev/null || true")
          .contains("\"name\"")) {
        assertThat(System.nanoTime()).as("a snapshot was carried in time").isLessThan(deadline);
        Thread.sleep(200);
      }
      agent.api().cancelJob(io.ferry.proto.v1.CancelJobRequest.newBuilder()
          .setJobId(job.getId()).build());
      Job done = follow(agent, job);
      assertThat(done.getState()).as(done.getError().getMessage()).isEqualTo(JobState.CANCELLED);
      assertThat(c2.images("b")).doesNotContain("snaps-cancel", "snaps-cancel.ferry-part");
      assertThat(c1.snapshotNames(src)).containsExactly("s1", "s2", "s3", "s4");
    } finally {
      purge(c1, src);
      purge(c2, "b/snaps-cancel.ferry-part");
    }
  }

  @Test
  void emptyLayoutFieldsFollowTheSourceAndExplicitOnesWin() {
    String src = "a/lay-src";
    c1.rbd("create", "--size", "20M", "--object-size", "1M", "--stripe-unit", "256K",
        "--stripe-count", "2", "--image-feature", "layering,exclusive-lock", "--data-pool", "b", src);
    try {
      fio(c1, src, "write", 0, 3 * MIB);
      Job like = copy("lay-1", rbd("c1", "a", "lay-src"), rbd("c1", "a", "lay-dst1"),
          CopyOptions.newBuilder().setCreateDestination(true).build());
      assertThat(like.getState()).as(like.getError().getMessage()).isEqualTo(JobState.COMPLETED);
      assertThat(layout(c1, "a/lay-dst1")).isEqualTo(layout(c1, src))
          .contains("order=20", "stripe_unit=262144", "stripe_count=2", "data_pool=b");

      Job explicit = copy("lay-2", rbd("c1", "a", "lay-src"), rbd("c2", "a", "lay-dst2"),
          CopyOptions.newBuilder().setCreateDestination(true).setDestinationLayout(
              RbdLayout.newBuilder().setObjectSize(2 * MIB).addFeatures("layering")).build());
      assertThat(explicit.getState()).as(explicit.getError().getMessage())
          .isEqualTo(JobState.COMPLETED);
      assertThat(layout(c2, "a/lay-dst2")).contains("order=21", "stripe_unit=262144",
          "stripe_count=2", "data_pool=b").doesNotContain("exclusive-lock");
      assertThat(c2.exportSha256("a/lay-dst2")).isEqualTo(c1.exportSha256(src));
    } finally {
      purge(c1, src);
      purge(c1, "a/lay-dst1");
      purge(c2, "a/lay-dst2");
    }
  }

  /**
   * kill -9 of a real agent mid-copy of an RBD image across clusters, then a restart: the job
   * resumes from its checkpoint and its feed snapshot, completes, writes well under the data
   * after the restart, and leaves no temporary snapshot or part image.
   */
  @Test
  void killNineMidCopyThenRestartResumesTheRbdCopy() throws Exception {
    String src = "a/crash-src";
    c1.rbd("create", "--size", "256M", src);
    Path home = dir.resolve("crash");
    int port = AgentProcess.freePort();
    Path config = agentConfig(home, port);
    Path log = home.resolve("agent.log");
    try {
      long data = 160 * MIB;
      fio(c1, src, "write", 0, 96 * MIB);
      fio(c1, src, "write", 160 * MIB, 64 * MIB);
      String jobId;
      try (AgentProcess first = new AgentProcess(config, log, port).start()) {
        Job job = first.api().startCopy(StartCopyRequest.newBuilder().setRequestId("crash-rbd")
            .setSource(rbd("c1", "a", "crash-src")).setDestination(rbd("c2", "b", "crash-dst"))
            .setOptions(CopyOptions.newBuilder().setCreateDestination(true)
                .setBandwidthBytesPerSec(24 * MIB)).build());
        jobId = job.getId();
        waitUntilHalfSynced(first, jobId);
        first.kill9();
      }
      assertThat(c1.snapshotNames(src)).as("the killed agent's feed snapshot is still there")
          .anyMatch(n -> n.startsWith("ferry-"));
      assertThat(c2.images("b")).contains("crash-dst.ferry-part").doesNotContain("crash-dst");
      try (AgentProcess second = new AgentProcess(config, log, port).start()) {
        Job done = follow(second, second.api().getJob(
            io.ferry.proto.v1.GetJobRequest.newBuilder().setJobId(jobId).build()));
        assertThat(done.getState()).as(done.getError().getMessage()).isEqualTo(JobState.COMPLETED);
        assertThat(done.getProgress().getRestarts()).isGreaterThanOrEqualTo(1);
        System.out.printf("RbdAgentIT kill -9: %d of %d data bytes written after the restart%n",
            done.getProgress().getBytesWritten(), data);
        assertThat(done.getProgress().getBytesWritten())
            .as("bytes written after the restart, of %d data bytes", data).isLessThan(data * 3 / 4);
        assertThat(done.getEventsList()).anyMatch(e -> e.getKind().equals("resume"));
      }
      assertThat(c2.exportSha256("b/crash-dst")).as("rbd export of destination = source")
          .isEqualTo(c1.exportSha256(src));
      assertThat(c1.snapshotNames(src)).as("temporary snapshots removed").isEmpty();
      assertThat(c2.images("b")).contains("crash-dst").doesNotContain("crash-dst.ferry-part");
    } finally {
      purge(c1, src);
      purge(c2, "b/crash-dst");
      purge(c2, "b/crash-dst.ferry-part");
    }
  }

  /** The config of an agent of its own in {@code home} (one a test may kill). */
  private static Path agentConfig(Path home, int port) throws java.io.IOException {
    Files.createDirectories(home.resolve("files"));
    Path config = home.resolve("agent.yaml");
    Files.writeString(config, "listen: 127.0.0.1:" + port + "\ninsecure_plaintext: true\n"
        + "roots:\n  default: files\njournal_dir: journal\nclusters:\n"
        + "  c1:\n    ceph_conf: " + c1.conf() + "\n"
        + "  c2:\n    ceph_conf: " + c2.conf() + "\n");
    return config;
  }

  /**
   * kill -9 of the agent while it carries snapshots (before the head copy has a checkpoint):
   * the restarted job skips the snapshots already made, rewrites the one it was writing, and
   * completes with every snapshot and the head equal to the source's.
   */
  @Test
  void killNineWhileCarryingSnapshotsThenRestartCompletes() throws Exception {
    String src = "a/crash-snaps";
    Path home = dir.resolve("crash-snaps");
    int port = AgentProcess.freePort();
    Path config = agentConfig(home, port);
    Path log = home.resolve("agent.log");
    try {
      makeSnapshotSource(src);
      fio(c1, src, "write", 0, 40 * MIB);
      c1.rbd("snap", "create", src + "@s4");
      String jobId;
      try (AgentProcess first = new AgentProcess(config, log, port).start()) {
        jobId = first.api().startCopy(StartCopyRequest.newBuilder().setRequestId("crash-snaps")
            .setSource(rbd("c1", "a", "crash-snaps")).setDestination(rbd("c2", "b", "crash-snaps"))
            .setOptions(CopyOptions.newBuilder().setCreateDestination(true).setCopySnapshots(true)
                .setBandwidthBytesPerSec(4 * MIB)).build()).getId();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!c2.sh("rbd snap ls --format json b/crash-snaps.ferry-part 2>/dev/null || true")
            .contains("\"s2\"")) {
          assertThat(System.nanoTime()).as("s2 was carried in time").isLessThan(deadline);
          Thread.sleep(200);
        }
        first.kill9();
      }
      assertThat(c2.snapshotNames("b/crash-snaps.ferry-part")).doesNotContain("s4");
      try (AgentProcess second = new AgentProcess(config, log, port).start()) {
        Job done = follow(second, second.api().getJob(
            io.ferry.proto.v1.GetJobRequest.newBuilder().setJobId(jobId).build()));
        assertThat(done.getState()).as(done.getError().getMessage()).isEqualTo(JobState.COMPLETED);
      }
      String dst = "b/crash-snaps";
      assertThat(c2.snapshotNames(dst)).containsExactly("s1", "s2", "s3", "s4");
      for (String s : List.of("s1", "s2", "s3", "s4")) {
        assertThat(c2.exportSha256(dst + "@" + s)).as("rbd export --snap " + s)
            .isEqualTo(c1.exportSha256(src + "@" + s));
      }
      assertThat(c2.exportSha256(dst)).as("head").isEqualTo(c1.exportSha256(src));
      assertThat(c1.snapshotNames(src)).containsExactly("s1", "s2", "s3", "s4");
      assertThat(c2.images("b")).doesNotContain("crash-snaps.ferry-part");
    } finally {
      purge(c1, src);
      purge(c2, "b/crash-snaps");
      purge(c2, "b/crash-snaps.ferry-part");
    }
  }

  private static void waitUntilHalfSynced(AgentProcess agent, String id) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      Job j = agent.api().getJob(io.ferry.proto.v1.GetJobRequest.newBuilder().setJobId(id).build());
      var p = j.getProgress();
      if (j.getState() == JobState.SYNCING && p.getBytesTotal() > 0
          && p.getBytesDone() * 2 >= p.getBytesTotal()) {
        Thread.sleep(1500); // let a checkpoint past the half be written
        return;
      }
      assertThat(j.getState()).as("still copying: " + j.getError().getMessage())
          .isIn(JobState.QUEUED, JobState.PREPARING, JobState.SYNCING);
      Thread.sleep(100);
    }
    throw new AssertionError("copy did not reach half way in time");
  }

  /** Removes an image with its snapshots, if it exists. */
  static void purge(CephLab lab, String spec) {
    lab.sh("if rbd info " + spec + " >/dev/null 2>&1; then for s in $(rbd snap ls --format json "
        + spec + " | /usr/bin/python3 -c 'import json,sys; [print(s[\"name\"]) for s in "
        + "json.load(sys.stdin) if s.get(\"protected\") == \"true\"]'); do rbd snap unprotect "
        + spec + "@$s; done; rbd snap purge --no-progress " + spec + "; rbd rm --no-progress "
        + spec + "; fi");
  }
}
