package io.ferry.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.endpoint.DefaultEndpointResolver;
import io.ferry.endpoint.FileRoots;
import io.ferry.endpoint.RawFileCodec;
import io.ferry.proto.v1.ConvergencePolicy;
import io.ferry.proto.v1.DiskFormat;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.LiveMirrorOptions;
import io.ferry.proto.v1.StartLiveMirrorRequest;
import io.ferry.virt.DiskSource;
import io.ferry.virt.DomainXml;
import io.ferry.virt.Hypervisor;
import io.ferry.virt.LibvirtLab;
import io.ferry.virt.LiveMirrorService;
import io.ferry.virt.MirrorDestinations;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live-mirror job through the JobManager: journaled, supervised by the virt layer, survives an
 * agent restart (the block job runs on; the new manager re-attaches from the journal) and pivots.
 */
class LiveMirrorJobIT {

  static final long MIB = 1 << 20;

  @TempDir Path tmp;

  @Test
  void aLiveMirrorJobSurvivesAnAgentRestartAndPivots() throws Exception {
    try (LibvirtLab lab = LibvirtLab.start("job")) {
      Path src = lab.qcow2("job-src.qcow2", 16 * MIB);
      LibvirtLab.fill(src, 0x5a, 0, 16 * MIB);
      Path dst = lab.qcow2("job-dst.qcow2", 16 * MIB);
      lab.domain("jobvm", "file:" + src);
      Path journal = tmp.resolve("journal");
      StartLiveMirrorRequest req = StartLiveMirrorRequest.newBuilder()
          .setRequestId("swap-1").setDomain("jobvm").setDiskTarget("vdb")
          .setDestination(Endpoint.newBuilder().setFile(FileImage.newBuilder()
              .setPath("job-dst.qcow2").setFormat(DiskFormat.QCOW2)))
          .setOptions(LiveMirrorOptions.newBuilder().setBandwidthBytesPerSec(MIB).setPivot(true)
              .setConvergence(ConvergencePolicy.newBuilder().setReadyTimeoutSeconds(120)))
          .build();

      String id;
      try (JobManager first = manager(journal, lab)) {
        Job j = first.startLiveMirror(req);
        id = j.getId();
        assertThat(first.startLiveMirror(req).getId()).isEqualTo(id); // idempotent
        Thread.sleep(1500);
        assertThat(first.get(id).getState()).isEqualTo(JobState.SYNCING);
        assertThat(first.get(id).getProgress().getBandwidthLimit()).isEqualTo(MIB);
      } // the agent stops: the block job runs on

      try (JobManager second = manager(journal, lab)) {
        Job j = second.get(id);
        assertThat(j.getProgress().getRestarts()).isEqualTo(1);
        second.setBandwidth(id, 0); // let it finish
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!JobStateMachine.isTerminal(second.get(id).getState())
            && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        j = second.get(id);
        assertThat(j.getState()).as(j.getError().getMessage()).isEqualTo(JobState.COMPLETED);
        assertThat(j.getEventsList()).anyMatch(e -> e.getKind().equals("reattach"));
        assertThat(j.getEventsList()).anyMatch(e -> e.getKind().equals("verify"));
      }
      try (Hypervisor hv = Hypervisor.connect(lab.uri)) {
        assertThat(DomainXml.parse(hv.xml("jobvm", true)).source("vdb"))
            .isEqualTo(DiskSource.file(dst.toString()));
      }
    }
  }

  /**
   * A mirror started while a copy runs gets what the copy leaves of the host budget (max-min
   * fair: half of it, the copy being uncapped), as the block job's own speed in QEMU; when the
   * copy ends the mirror gets the whole budget, and gives it back when it ends.
   */
  @Test
  void aMirrorSharesTheHostBudgetWithARunningCopy() throws Exception {
    long budget = 8 * MIB;
    try (LibvirtLab lab = LibvirtLab.start("job")) {
      Path src = lab.qcow2("share-src.qcow2", 64 * MIB);
      LibvirtLab.fill(src, 0x21, 0, 64 * MIB);
      lab.qcow2("share-dst.qcow2", 64 * MIB);
      lab.domain("sharevm", "file:" + src);
      java.nio.file.Files.write(lab.work.resolve("copy-src.raw"), randomBytes(96 * MIB));
      java.nio.file.Files.deleteIfExists(lab.work.resolve("copy-dst.raw"));
      try (JobManager m = manager(tmp.resolve("journal-share"), lab, budget)) {
        Job copy = m.startCopy(io.ferry.proto.v1.StartCopyRequest.newBuilder()
            .setRequestId("share-copy").setSource(file("copy-src.raw"))
            .setDestination(file("copy-dst.raw"))
            .setOptions(io.ferry.proto.v1.CopyOptions.newBuilder().setCreateDestination(true))
            .build());
        await(m, copy.getId(), j -> j.getState() == JobState.SYNCING);
        Job mirror = m.startLiveMirror(StartLiveMirrorRequest.newBuilder()
            .setRequestId("share-mirror").setDomain("sharevm").setDiskTarget("vdb")
            .setDestination(file("share-dst.qcow2").toBuilder().setFile(FileImage.newBuilder()
                .setPath("share-dst.qcow2").setFormat(DiskFormat.QCOW2)))
            .setOptions(LiveMirrorOptions.newBuilder().setBufferSize(256 * 1024))
            .build());
        String id = mirror.getId();
        await(m, id, j -> j.getProgress().getBandwidthLimit() > 0);
        assertThat(m.get(id).getProgress().getBandwidthLimit()).as("QEMU's speed: the half the"
            + " copy leaves").isEqualTo(budget / 2);
        assertThat(m.budgets().getLiveMirrorBandwidthBytesPerSec()).isEqualTo(budget / 2);

        m.cancel(copy.getId());
        await(m, id, j -> j.getProgress().getBandwidthLimit() == budget);
        m.cancel(id);
        await(m, id, j -> JobStateMachine.isTerminal(j.getState()));
        assertThat(m.budgets().getLiveMirrorBandwidthBytesPerSec()).as("released").isZero();
      }
    }
  }

  private static Endpoint file(String path) {
    return Endpoint.newBuilder().setFile(FileImage.newBuilder().setPath(path)).build();
  }

  private static byte[] randomBytes(long n) {
    byte[] b = new byte[(int) n];
    new java.util.Random(5).nextBytes(b);
    return b;
  }

  private static void await(JobManager m, String id, java.util.function.Predicate<Job> p)
      throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!p.test(m.get(id))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("job " + id + " not there in time: " + m.get(id));
      }
      Thread.sleep(100);
    }
  }

  private JobManager manager(Path journal, LibvirtLab lab) throws Exception {
    return manager(journal, lab, 0);
  }

  private JobManager manager(Path journal, LibvirtLab lab, long budget) throws Exception {
    Map<String, Path> roots = Map.of("default", lab.work);
    JobManager m = new JobManager(JobFixture.config(journal).withTotalBandwidth(budget),
        new DefaultEndpointResolver(roots, RawFileCodec.registry()), StandardParts.create(),
        JobHooks.NONE, Clock.systemUTC());
    m.enableLiveMirrors(new LiveMirrorService(Hypervisor.connect(lab.uri)),
        new MirrorDestinations(Map.of(), new FileRoots(roots)));
    return m;
  }
}
