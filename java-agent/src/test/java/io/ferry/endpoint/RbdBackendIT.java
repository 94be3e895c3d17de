package io.ferry.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.copy.ChangeFeed;
import io.ferry.copy.CopyCheckpoint;
import io.ferry.copy.CopyEngine;
import io.ferry.copy.CopyListener;
import io.ferry.copy.CopyPhase;
import io.ferry.copy.CopyPlan;
import io.ferry.copy.CopyProgress;
import io.ferry.copy.CopyResult;
import io.ferry.copy.Throttle;
import io.ferry.copy.TokenBucket;
import io.ferry.device.BlockDevice;
import io.ferry.device.rbd.CephLab;
import io.ferry.device.rbd.CephLabExtension;
import io.ferry.device.rbd.RbdClusterSpec;
import io.ferry.device.rbd.RbdClusters;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.RbdImage;
import io.ferry.proto.v1.RbdLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The RBD endpoint backend on lab clusters: destinations under a temporary name renamed at
 * commit, the caller's layout, abandon and reopen, every error case with its reason and nothing
 * left behind, and a copy killed mid-way that resumes. Checked with the {@code rbd} CLI.
 */
@ExtendWith(CephLabExtension.class)
class RbdBackendIT {

  private static final long MIB = 1L << 20;
  private static CephLab c1;
  private static CephLab c2;
  private static Path deadConf;
  private static RbdBackend backend;
  private static DefaultEndpointResolver resolver;

  @BeforeAll
  static void start(CephLab first, @CephLabExtension.Second CephLab second) throws Exception {
    c1 = first;
    c2 = second;
    deadConf = Files.createTempFile("ferry-dead", ".conf");
    Files.writeString(deadConf, "[global]\nmon_host = 127.0.0.1:9\nauth_client_required = none\n");
    backend = new RbdBackend(new RbdClusters(Map.of(
        "c1", RbdClusterSpec.of("c1", c1.conf()),
        "c2", RbdClusterSpec.of("c2", c2.conf()),
        "dead", new RbdClusterSpec("dead", deadConf, "admin", null, Duration.ofSeconds(3)))));
    resolver = new DefaultEndpointResolver(Map.of(), new FormatRegistry());
    resolver.register(Endpoint.KindCase.RBD, backend);
  }

  @AfterAll
  static void stop() throws Exception {
    if (backend != null) {
      backend.close();
    }
    Files.deleteIfExists(deadConf);
  }

  static Endpoint rbd(String cluster, String pool, String image) {
    return Endpoint.newBuilder().setRbd(RbdImage.newBuilder()
        .setClusterId(cluster).setPool(pool).setImage(image)).build();
  }

  static CopyOptions create(RbdLayout layout) {
    return CopyOptions.newBuilder().setCreateDestination(true).setDestinationLayout(layout).build();
  }

  @Test
  void createdDestinationIsHiddenUntilCommitAndGetsTheLayout() throws Exception {
    RbdLayout layout = RbdLayout.newBuilder().setObjectSize(MIB).setStripeUnit(64 * 1024)
        .setStripeCount(4).setDataPool("b").addAllFeatures(List.of("layering", "exclusive-lock",
            "object-map", "fast-diff")).build();
    Endpoint dst = rbd("c1", "a", "be-layout");
    try (Destination d = resolver.create(dst, 10 * MIB + 512, create(layout))) {
      assertThat(d.created()).isTrue();
      assertThat(c1.images("a")).contains("be-layout.ferry-part").doesNotContain("be-layout");
      d.device().write(0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
      d.commit();
      d.commit(); // idempotent
    }
    assertThat(c1.images("a")).contains("be-layout").doesNotContain("be-layout.ferry-part");
    String info = c1.rbd("info", "a/be-layout");
    assertThat(info).contains("size 10 MiB").contains("order 20").contains("stripe unit: 64 KiB")
        .contains("stripe count: 4").contains("data_pool: b").contains("fast-diff")
        .doesNotContain("deep-flatten");
    c1.rbd("rm", "--no-progress", "a/be-layout");
  }

  @Test
  void abandonRemovesOnlyWhatWasCreatedAndReopenFindsThePart() throws Exception {
    Endpoint dst = rbd("c1", "a", "be-abandon");
    Destination d = resolver.create(dst, 4 * MIB, create(RbdLayout.getDefaultInstance()));
    d.close(); // "crash": neither committed nor abandoned
    try (Destination again = resolver.reopen(dst, CopyOptions.getDefaultInstance())) {
      assertThat(again.device().size()).isEqualTo(4 * MIB);
      again.abandon();
      again.abandon(); // idempotent
    }
    assertThat(c1.images("a")).doesNotContain("be-abandon", "be-abandon.ferry-part");
    assertThatThrownBy(() -> resolver.reopen(dst, CopyOptions.getDefaultInstance()))
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));

    c1.rbd("create", "--size", "8M", "a/be-existing");
    try (Destination e = resolver.existing(rbd("c1", "a", "be-existing"), 8 * MIB)) {
      assertThat(e.created()).isFalse();
      e.abandon();
    }
    assertThat(c1.images("a")).contains("be-existing");
    c1.rbd("rm", "--no-progress", "a/be-existing");
  }

  @Test
  void errorCasesHaveTheirReasonAndLeaveNothingBehind() throws Exception {
    CopyOptions opts = create(RbdLayout.getDefaultInstance());
    List<String> before1 = c1.images("a");
    expect(() -> resolver.create(rbd("c1", "nopool", "x"), MIB, opts), Reason.NOT_FOUND, "destination.rbd.pool");
    expect(() -> resolver.open(rbd("c1", "a", "be-missing"), true), Reason.NOT_FOUND, "be-missing");
    expect(() -> resolver.open(rbd("c9", "a", "x"), true), Reason.NOT_FOUND, "cluster_id");
    c1.rbd("create", "--size", "4M", "a/be-taken");
    expect(() -> resolver.create(rbd("c1", "a", "be-taken"), MIB, opts), Reason.ALREADY_EXISTS, "be-taken");
    expect(() -> resolver.checkDestination(rbd("c1", "a", "be-taken"), MIB, opts), Reason.ALREADY_EXISTS, "exists");
    expect(() -> resolver.existing(rbd("c1", "a", "be-taken"), 8 * MIB), Reason.FAILED_PRECONDITION, "holds 4194304 bytes");
    expect(() -> resolver.checkDestination(rbd("c1", "a", "be-taken"), 8 * MIB, CopyOptions.getDefaultInstance()),
        Reason.FAILED_PRECONDITION, "grow it");
    expect(() -> resolver.create(rbd("c1", "a", "be-bad"), MIB, create(RbdLayout.newBuilder().addFeatures("turbo").build())),
        Reason.INVALID_ARGUMENT, "turbo");
    c1.rbd("rm", "--no-progress", "a/be-taken");
    long t0 = System.nanoTime();
    expect(() -> resolver.create(rbd("dead", "a", "x"), MIB, opts), Reason.UNAVAILABLE, "dead");
    assertThat((System.nanoTime() - t0) / 1e9).as("unreachable cluster fails in bounded time").isLessThan(20);
    assertThat(c1.images("a")).containsExactlyInAnyOrderElementsOf(before1);
  }

  static void expect(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Reason reason, String text) {
    assertThatThrownBy(call).isInstanceOfSatisfying(FerryException.class, e -> {
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
      assertThat(e.getMessage()).contains(text);
    });
  }

  /**
   * A cross-cluster copy through the resolver is stopped mid-way without any cleanup (as a
   * kill -9 would leave it), then a new run resumes from the last checkpoint: it copies well
   * under the total, the result equals the source, and no Ferry snapshot is left.
   */
  @Test
  void killedCopyResumesFromItsCheckpointAcrossClusters() throws Exception {
    c1.rbd("create", "--size", "64M", "a/be-resume");
    c1.sh("fio --name=w --ioengine=rbd --clientname=admin --pool=a --rbdname=be-resume --rw=write"
        + " --bs=1M --size=48M --refill_buffers --output=/dev/null");
    Endpoint src = rbd("c1", "a", "be-resume");
    Endpoint dst = rbd("c2", "b", "be-resume");
    AtomicReference<CopyCheckpoint> last = new AtomicReference<>();
    long total = 48 * MIB;

    BlockDevice source = resolver.open(src, true);
    Destination dest = resolver.create(dst, source.size(), create(RbdLayout.getDefaultInstance()));
    ChangeFeed feed = backend.changeFeed(src, source, "resume-job");
    CopyEngine first = new CopyEngine(plan(feed, dest, new TokenBucket(12 * MIB)), new Recorder(last));
    Thread t = new Thread(() -> {
      try {
        first.run(null);
      } catch (Exception e) {
        // cancelled: the "crash"
      }
    });
    t.start();
    while (last.get() == null || last.get().syncedChunks().cardinality() < 4) {
      Thread.sleep(100);
    }
    first.cancel();
    t.join();
    dest.close(); // a crashed agent closes nothing else: the feed's snapshot stays on the source
    source.close();
    assertThat(c1.snapshotNames("a/be-resume")).anyMatch(n -> n.startsWith("ferry-resume-job-"));
    CopyCheckpoint cp = last.get();

    CopyResult result;
    try (BlockDevice source2 = resolver.open(src, true);
        Destination dest2 = resolver.reopen(dst, CopyOptions.getDefaultInstance());
        ChangeFeed feed2 = backend.changeFeed(src, source2, "resume-job")) {
      result = new CopyEngine(plan(feed2, dest2, Throttle.NONE), new Recorder(new AtomicReference<>())).run(cp);
      dest2.commit();
    }
    long afterRestart = result.bytesCopied() - cp.bytesCopied();
    assertThat(afterRestart).as("bytes copied after the restart").isLessThan(total * 3 / 4);
    assertThat(result.verified()).isTrue();
    assertThat(c2.exportSha256("b/be-resume")).isEqualTo(c1.exportSha256("a/be-resume"));
    assertThat(c1.snapshotNames("a/be-resume")).isEmpty();
    assertThat(c2.images("b")).contains("be-resume").doesNotContain("be-resume.ferry-part");
    feed.close(); // the "crashed" run's handles (a real crash drops them with the process)
    c1.rbd("rm", "--no-progress", "a/be-resume");
    c2.rbd("rm", "--no-progress", "b/be-resume");
  }

  @Test
  void leftoverFeedSnapshotsAreRemovedAndNothingElse() throws Exception {
    c1.rbd("create", "--size", "8M", "a/be-left");
    c1.rbd("snap", "create", "a/be-left@user-snap");
    c1.rbd("snap", "create", "a/be-left@ferry-other-job-1");
    Endpoint src = rbd("c1", "a", "be-left");
    BlockDevice source = resolver.open(src, true);
    ChangeFeed crashed = backend.changeFeed(src, source, "job-7");
    crashed.start(Map.of());
    crashed.next(false);
    assertThat(c1.snapshotNames("a/be-left")).contains("ferry-job-7-2");
    crashed.next(false).readFrom().close(); // a crash leaves the feed's handles and snapshot
    assertThat(backend.removeFeedSnapshots(src, "job-7")).isEqualTo(1);
    assertThat(c1.snapshotNames("a/be-left")).containsExactly("user-snap", "ferry-other-job-1");
    crashed.close();
    source.close();
    c1.sh("rbd snap purge a/be-left && rbd rm --no-progress a/be-left");
  }

  static CopyPlan plan(ChangeFeed feed, Destination dest, Throttle throttle) {
    return new CopyPlan(feed, dest.device(), throttle, 4 * MIB, 2, true, true, 4 * MIB, 3);
  }

  record Recorder(AtomicReference<CopyCheckpoint> last) implements CopyListener {
    @Override
    public void phase(CopyPhase phase) {}

    @Override
    public void progress(CopyProgress progress) {}

    @Override
    public void checkpoint(CopyCheckpoint checkpoint) {
      last.set(checkpoint);
    }
  }
}
