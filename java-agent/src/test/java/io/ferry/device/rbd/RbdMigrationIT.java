package io.ferry.device.rbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.copy.CopyCheckpoint;
import io.ferry.copy.CopyEngine;
import io.ferry.copy.CopyListener;
import io.ferry.copy.CopyPhase;
import io.ferry.copy.CopyPlan;
import io.ferry.copy.CopyProgress;
import io.ferry.copy.CopyResult;
import io.ferry.copy.Throttle;
import io.ferry.copy.TokenBucket;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Detached-image migrations through the copy engine and {@link RbdSnapshotChangeFeed}, a to b in
 * one cluster and c1 to c2 across clusters, checked with the {@code rbd} CLI: {@code rbd export}
 * checksums equal, holes kept ({@code rbd du}), no Ferry snapshot left on the source.
 */
@ExtendWith(CephLabExtension.class)
class RbdMigrationIT {

  private static final long MIB = 1L << 20;
  private static CephLab c1;
  private static CephLab c2;
  private static RadosCluster r1;
  private static RadosCluster r2;

  @BeforeAll
  static void start(CephLab first, @CephLabExtension.Second CephLab second) {
    c1 = first;
    c2 = second;
    r1 = RadosCluster.connect(c1.spec());
    r2 = RadosCluster.connect(c2.spec());
  }

  @AfterAll
  static void stop() {
    if (r1 != null) {
      r1.close();
    }
    if (r2 != null) {
      r2.close();
    }
  }

  /** Writes the source with the rbd CLI / fio, per kind. */
  static long makeSource(CephLab lab, String spec, String kind) {
    switch (kind) {
      case "empty" -> lab.rbd("create", "--size", "0", spec);
      case "sparse" -> {
        lab.rbd("create", "--size", "96M", spec);
        fio(lab, spec, 0, 64 * 1024);
        fio(lab, spec, 17 * MIB + 4096, 300 * 1024);
        fio(lab, spec, 60 * MIB + 512, 4 * MIB);
      }
      case "full" -> {
        lab.rbd("create", "--size", "48M", spec);
        fio(lab, spec, 0, 48 * MIB);
      }
      case "unaligned" -> { // 1 MiB objects, size not a multiple of them, data at the very end
        lab.rbd("create", "--size", "10244K", "--object-size", "1M", spec); // 10 MiB + 4 KiB
        fio(lab, spec, 10 * MIB - 8192, 12288);
        fio(lab, spec, 3 * MIB + 512, 5000 - 512);
      }
      default -> throw new IllegalArgumentException(kind);
    }
    return Long.parseLong(lab.sh("rbd info --format json " + spec
        + " | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[\"size\"])'").trim());
  }

  static void fio(CephLab lab, String spec, long offset, long length) {
    String[] pi = spec.split("/");
    lab.sh("fio --name=w --ioengine=rbd --clientname=admin --pool=" + pi[0] + " --rbdname=" + pi[1]
        + " --rw=write --bs=" + Math.min(length, 1 << 20) + " --offset=" + offset + " --size=" + length
        + " --refill_buffers --randrepeat=0 --output=/dev/null");
  }

  record Copy(CopyResult result, String finalSnapshotSha) {}

  /** Copies src to a new image dst (same layout) through the engine; returns the result. */
  static Copy migrate(RadosCluster from, String srcPool, String src, RadosCluster to, String dstPool,
      String dst, String job, Throttle throttle, CephLab srcLab) throws Exception {
    try (RbdPool sp = from.pool(srcPool, ""); RbdPool dp = to.pool(dstPool, "")) {
      long size;
      RbdCreateOptions layout;
      try (RbdImage s = sp.openReadOnly(src, null)) {
        size = s.size();
        layout = RbdCreateOptions.like(s);
      }
      dp.create(dst, size, layout);
      String finalSha;
      CopyResult result;
      try (RbdSnapshotChangeFeed feed = new RbdSnapshotChangeFeed(sp, src, job);
          RbdDevice dest = new RbdDevice(dp.open(dst, null))) {
        CopyPlan plan = new CopyPlan(feed, dest, throttle, 4 * MIB, 4, true, true, 4 * MIB, 3);
        result = new CopyEngine(plan, new Quiet()).run(null);
        String last = feed.state().get("snapshot");
        finalSha = srcLab.exportSha256(srcPool + "/" + src + "@" + last);
      }
      return new Copy(result, finalSha);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"empty", "sparse", "full", "unaligned"})
  void poolToPoolInOneCluster(String kind) throws Exception {
    String src = "mig-" + kind;
    makeSource(c1, "a/" + src, kind);
    try {
      Copy copy = migrate(r1, "a", src, r1, "b", src, "j" + kind, Throttle.NONE, c1);
      assertSame(c1, "a/" + src, c1, "b/" + src, copy);
    } finally {
      c1.rbd("rm", "--no-progress", "a/" + src);
      c1.sh("rbd rm --no-progress b/" + src + " || true");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"empty", "sparse", "full", "unaligned"})
  void clusterToCluster(String kind) throws Exception {
    String src = "xmig-" + kind;
    makeSource(c1, "a/" + src, kind);
    try {
      Copy copy = migrate(r1, "a", src, r2, "a", src, "x" + kind, Throttle.NONE, c1);
      assertSame(c1, "a/" + src, c2, "a/" + src, copy);
    } finally {
      c1.rbd("rm", "--no-progress", "a/" + src);
      c2.sh("rbd rm --no-progress a/" + src + " || true");
    }
  }

  @Test
  void concurrentWriterIsMergedByTheFinalPass() throws Exception {
    String src = "mig-busy";
    c1.rbd("create", "--size", "128M", "a/" + src);
    fio(c1, "a/" + src, 0, 64 * MIB);
    // Another librbd client writes 64 KiB random blocks all the time the copy runs.
    Process writer = new ProcessBuilder("bash", "-c", "export CEPH_CONF=" + c1.conf()
        + "; exec fio --name=busy --ioengine=rbd --clientname=admin --pool=a --rbdname=" + src
        + " --rw=randwrite --bs=64k --rate=8m --time_based --runtime=120 --refill_buffers --output=/dev/null")
        .redirectErrorStream(true).start();
    try {
      Thread.sleep(1500);
      Copy copy = migrate(r1, "a", src, r1, "b", src, "busy", new TokenBucket(40 * MIB), c1);
      assertThat(copy.result().regionsMerged()).as("writes made during the copy were merged").isPositive();
      assertThat(copy.result().verified()).isTrue();
      assertThat(c1.exportSha256("b/" + src)).as("destination = final snapshot").isEqualTo(copy.finalSnapshotSha());
      assertThat(c1.snapshotNames("a/" + src)).isEmpty();
    } finally {
      writer.destroy();
      writer.waitFor();
      c1.rbd("rm", "--no-progress", "a/" + src);
      c1.sh("rbd rm --no-progress b/" + src + " || true");
    }
  }

  static void assertSame(CephLab sl, String srcSpec, CephLab dl, String dstSpec, Copy copy) {
    String srcSha = sl.exportSha256(srcSpec);
    assertThat(dl.exportSha256(dstSpec)).as("rbd export of destination = source").isEqualTo(srcSha);
    assertThat(copy.finalSnapshotSha()).isEqualTo(srcSha);
    assertThat(copy.result().verified()).isTrue();
    long srcUsed = sl.usedBytes(srcSpec);
    long dstUsed = dl.usedBytes(dstSpec);
    assertThat(dstUsed).as("holes kept: rbd du of destination <= source").isLessThanOrEqualTo(srcUsed);
    assertThat(sl.snapshotNames(srcSpec)).as("Ferry's snapshots removed").isEmpty();
    assertThat(sl.rbd("info", srcSpec).replaceAll("(?m)^\\s*(create|access|modify)_timestamp.*$", ""))
        .contains("snapshot_count: 0");
  }

  static final class Quiet implements CopyListener {
    @Override
    public void phase(CopyPhase phase) {}

    @Override
    public void progress(CopyProgress progress) {}

    @Override
    public void checkpoint(CopyCheckpoint checkpoint) {}
  }
}
