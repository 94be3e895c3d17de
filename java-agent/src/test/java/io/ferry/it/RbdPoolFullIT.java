package io.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.rbd.CephLab;
import io.ferry.device.rbd.CephLabExtension;
import io.ferry.device.rbd.RadosCluster;
import io.ferry.device.rbd.RbdPool;
import io.ferry.error.FerryException;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.StartCopyRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies into a destination pool that is over its quota ({@code ceph osd pool set-quota}) through
 * a real agent: already over it before the copy starts, and filling up during the copy. Each
 * must end FAILED with RESOURCE_EXHAUSTED naming the pool and what to do, well within a minute,
 * with the source unchanged (sha256 of {@code rbd export}) and nothing of the job's left: no
 * image in the pool, no snapshot on the source. Each case runs {@code ferry.it.poolFullRuns}
 * times (default 2) to catch intermittent hangs.
 */
@ExtendWith(CephLabExtension.class)
class RbdPoolFullIT {

  private static final long MIB = 1L << 20;
  private static final String POOL = "pf";
  private static final String SRC = "a/pool-full-src";
  private static final int RUNS = Integer.getInteger("ferry.it.poolFullRuns", 2);
  private static final double BOUND_SECONDS = 60;

  private static CephLab c1;
  private static AgentProcess agent;
  private static String srcSha;

  @TempDir static Path dir;

  @BeforeAll
  static void start(CephLab first) throws Exception {
    c1 = first;
    c1.sh("timeout 30 ceph osd pool create " + POOL + " 8 8 && timeout 30 ceph osd pool"
        + " application enable " + POOL + " rbd && timeout 60 rbd pool init " + POOL);
    quota(0);
    c1.rbd("create", "--size", "256M", SRC);
    RbdAgentIT.fio(c1, SRC, "write", 0, 128 * MIB); // half data, half holes
    srcSha = c1.exportSha256(SRC);
    Files.createDirectories(dir.resolve("files"));
    int port = AgentProcess.freePort();
    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, "listen: 127.0.0.1:" + port + "\ninsecure_plaintext: true\n"
        + "roots:\n  default: files\njournal_dir: journal\nclusters:\n"
        + "  c1:\n    ceph_conf: " + c1.conf() + "\n");
    agent = new AgentProcess(config, dir.resolve("agent.log"), port).start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (c1 != null) {
      quota(0);
      c1.sh("rbd rm --no-progress " + SRC + " >/dev/null 2>&1 || true; timeout 60 ceph osd pool rm "
          + POOL + " " + POOL + " --yes-i-really-really-mean-it");
    }
  }

  /** 16 MiB written in the pool, quota 4 MiB: full before the copy starts. */
  @Test
  void copyIntoAPoolAlreadyOverItsQuotaFailsFastAndLeavesNothing() throws Exception {
    String filler = POOL + "/filler";
    c1.rbd("create", "--size", "64M", filler);
    c1.sh("rbd bench --io-type write --io-size 4M --io-total 16M " + filler + " >/dev/null");
    try {
      quota(4 * MIB);
      awaitFull(true);
      for (int i = 1; i <= RUNS; i++) {
        copyFailsOnTheFullPool("full-before-" + i, 0);
      }
    } finally {
      quota(0);
      awaitFull(false);
      c1.remove(filler);
    }
  }

  /**
   * Quota 24 MiB above what the pool holds, 128 MiB of data copied at 4 MiB/s: the pool fills up
   * in the middle of the copy (the job may also reach its commit before the monitors flag the
   * pool full; then the rename is refused, which must end the same way). Ceph enforces quotas
   * from statistics that lag by seconds: each run waits until they no longer count the data of
   * the run before (removed), else the quota would leave room for the whole copy.
   */
  @Test
  void aPoolThatFillsUpDuringTheCopyEndsTheJobAndLeavesNothing() throws Exception {
    quota(0);
    awaitFull(false);
    long baseline = stored();
    try {
      for (int i = 1; i <= RUNS; i++) {
        quota(0);
        awaitFull(false);
        awaitStoredAtMost(baseline + 4 * MIB);
        quota(baseline + 24 * MIB);
        copyFailsOnTheFullPool("fills-during-" + i, 4 * MIB);
      }
    } finally {
      quota(0);
      awaitFull(false);
    }
  }

  /**
   * librbd 16 cannot remove an image from a pool over its quota that has no trash object yet
   * (its remove moves the image to the trash first). Ferry then frees the image's data and says
   * exactly what is left; the agent's copies avoid the case by creating that object first.
   */
  @Test
  void removingFromAFullPoolWithoutTrashObjectFreesTheDataAndSaysWhatIsLeft() throws Exception {
    String image = "no-trash";
    try {
      c1.sh("rados -p " + POOL + " rm rbd_trash 2>/dev/null || true");
      c1.rbd("create", "--size", "64M", POOL + "/" + image);
      RbdAgentIT.fio(c1, POOL + "/" + image, "write", 0, 16 * MIB);
      quota(4 * MIB);
      awaitFull(true);
      String error = null;
      try (RadosCluster c = RadosCluster.connect(c1.spec()); RbdPool p = c.pool(POOL, null)) {
        p.removeWithSnapshots(image);
      } catch (FerryException e) {
        error = e.getMessage();
      }
      System.out.println("RbdPoolFullIT remove without trash object: " + error);
      if (error != null) { // the pool stayed flagged full after its data was freed
        assertThat(error).contains("holding no data").contains("rbd rm " + POOL + "/" + image);
        assertThat(c1.usedBytes(POOL + "/" + image)).isZero();
      } else {
        assertThat(c1.images(POOL)).doesNotContain(image);
      }
    } finally {
      quota(0);
      awaitFull(false);
      c1.sh("rbd rm --no-progress " + POOL + "/" + image + " >/dev/null 2>&1 || true");
    }
  }

  private static void copyFailsOnTheFullPool(String name, long bandwidth) {
    long t0 = System.nanoTime();
    Job done = RbdAgentIT.copy(agent, StartCopyRequest.newBuilder().setRequestId(name)
        .setSource(RbdAgentIT.rbd("c1", "a", "pool-full-src"))
        .setDestination(RbdAgentIT.rbd("c1", POOL, name))
        .setOptions(CopyOptions.newBuilder().setCreateDestination(true)
            .setBandwidthBytesPerSec(bandwidth)).build());
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("RbdPoolFullIT %s: %s in %.1f s: %s%n", name, done.getState(), seconds,
        done.getError().getMessage());
    assertThat(done.getState()).as(name).isEqualTo(JobState.FAILED);
    assertThat(done.getError().getCode()).isEqualTo("RESOURCE_EXHAUSTED");
    assertThat(done.getError().getMessage()).contains("EDQUOT")
        .contains("pool " + POOL + " is over its quota")
        .contains("ceph osd pool set-quota " + POOL + " max_bytes").contains("free space")
        .doesNotContain("cleaning up failed");
    assertThat(seconds).as(name + ": seconds to FAILED").isLessThan(BOUND_SECONDS);
    assertThat(c1.images(POOL)).as("left in pool " + POOL)
        .doesNotContain(name, name + ".ferry-part");
    assertThat(c1.snapshotNames(SRC)).as("snapshots left on the source").isEmpty();
    assertThat(c1.exportSha256(SRC)).as("source unchanged").isEqualTo(srcSha);
  }

  private static void quota(long bytes) {
    c1.sh("timeout 30 ceph osd pool set-quota " + POOL + " max_bytes " + bytes + " >/dev/null");
  }

  /** Bytes the pool stores, as the quota counts them. */
  private static long stored() {
    return Long.parseLong(c1.sh("timeout 30 ceph df --format json | /usr/bin/python3 -c 'import"
        + " json,sys; print([p for p in json.load(sys.stdin)[\"pools\"] if p[\"name\"] == \""
        + POOL + "\"][0][\"stats\"][\"stored\"])'").trim());
  }

  /** Waits (up to 2 minutes) until the pool's statistics count at most {@code bytes}. */
  private static void awaitStoredAtMost(long bytes) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (stored() > bytes) {
      assertThat(System.nanoTime()).as("pool " + POOL + " stores at most " + bytes + " bytes"
          + " within 2 minutes").isLessThan(deadline);
      Thread.sleep(1000);
    }
  }

  /** Waits (up to 2 minutes) until the monitors report the pool full, or no longer full. */
  private static void awaitFull(boolean full) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (true) {
      boolean now = c1.sh("timeout 30 ceph health detail || true")
          .contains("pool '" + POOL + "' is full");
      if (now == full) {
        return;
      }
      assertThat(System.nanoTime()).as("pool " + POOL + (full ? " full" : " no longer full")
          + " within 2 minutes").isLessThan(deadline);
      Thread.sleep(1000);
    }
  }
}
