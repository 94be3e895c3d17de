package io.ferry.virt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Re-attaching to Ferry's own block copy after a restart, and supervising foreign ones. */
class SupervisionIT {

  static final long MIB = 1 << 20;
  static LibvirtLab lab;
  static Hypervisor hv;

  @BeforeAll
  static void up() throws Exception {
    lab = LibvirtLab.start("sup");
    hv = Hypervisor.connect(lab.uri);
  }

  @AfterAll
  static void down() throws Exception {
    if (hv != null) {
      hv.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void aRestartedAgentReattachesToItsBlockCopyAndPivots() throws Exception {
    Path src = lab.qcow2("re-src.qcow2", 16 * MIB);
    LibvirtLab.fill(src, 0x44, 0, 16 * MIB);
    Path dst = lab.qcow2("re-dst.qcow2", 16 * MIB);
    lab.domain("re", "file:" + src);
    DestinationDisk dest = DestinationDisk.file(dst.toString(), "qcow2");
    MirrorRequest first = new MirrorRequest("re", "vdb", dest, 2 * MIB,
        Convergence.none(Duration.ofSeconds(60)), false);
    Map<Long, Integer> written;
    try (HmpWriter w = new HmpWriter(hv, "re", 16 * MIB, 50).start()) {
      LiveMirrorService before = new LiveMirrorService(hv);
      before.start("job-1", first, null);
      Thread.sleep(1500);
      before.close(); // the agent goes away; the block job does not
      assertThat(hv.blockJob("re", "vdb")).isPresent();

      try (Hypervisor again = Hypervisor.connect(lab.uri)) {
        LiveMirrorService after = new LiveMirrorService(again);
        MirrorRequest journal = new MirrorRequest("re", "vdb", dest, 0,
            Convergence.none(Duration.ofSeconds(60)), true);
        LiveMirrorFileIT.Recorder rec = new LiveMirrorFileIT.Recorder();
        LiveMirror m = after.reattach("job-1", journal, rec);
        assertThat(after.listBlockJobs("re")).singleElement()
            .satisfies(v -> assertThat(v.ferryJobId()).isEqualTo("job-1"));
        m.setBandwidth(0);
        MirrorOutcome out = m.await(Duration.ofSeconds(60));
        assertThat(out.state()).as(out.detail()).isEqualTo(MirrorState.COMPLETED);
        assertThat(rec.events).anyMatch(e -> e.kind().equals("reattach"));
      }
      w.close();
      written = w.recorded();
    }
    assertThat(DomainXml.parse(hv.xml("re", true)).source("vdb"))
        .isEqualTo(DiskSource.file(dst.toString()));
    LiveMirrorFileIT.assertPatterns(dst, written);
  }

  @Test
  void reattachRefusesAJobCopyingElsewhere() throws Exception {
    Path src = lab.qcow2("other-src.qcow2", 16 * MIB);
    LibvirtLab.fill(src, 0x45, 0, 16 * MIB);
    Path dst = lab.qcow2("other-dst.qcow2", 16 * MIB);
    lab.domain("other", "file:" + src);
    virshCopy("other", dst, 1);
    MirrorRequest wrong = new MirrorRequest("other", "vdb",
        DestinationDisk.file("/tmp/ferry-virt-it/elsewhere.qcow2", "qcow2"), 0,
        Convergence.none(null), true);
    assertThatThrownBy(() -> LiveMirror.reattach(hv, wrong, null))
        .isInstanceOf(FerryException.class).hasMessageContaining("not this job's");
    hv.abortJob("other", "vdb", false);
  }

  @Test
  void foreignJobsAreReportedSpedUpAndAbortedOnlyBeforeReady() throws Exception {
    Path src = lab.qcow2("nova-src.qcow2", 16 * MIB);
    LibvirtLab.fill(src, 0x46, 0, 16 * MIB);
    Path dst = lab.qcow2("nova-dst.qcow2", 16 * MIB);
    lab.domain("nova", "file:" + src);
    LiveMirrorService svc = new LiveMirrorService(hv);

    virshCopy("nova", dst, 1); // as Nova would, but capped so that it is slow
    List<BlockJobView> jobs = svc.listBlockJobs("");
    assertThat(jobs).filteredOn(v -> v.domain().equals("nova")).singleElement().satisfies(v -> {
      assertThat(v.foreign()).isTrue();
      assertThat(v.info().typeName()).isEqualTo("copy");
      assertThat(v.info().bandwidth()).isEqualTo(MIB);
      assertThat(v.info().ready()).isFalse();
    });
    BlockJobView aborted = svc.abortForeign("nova", "vdb");
    assertThat(aborted.info().ready()).isFalse();
    assertThat(hv.blockJob("nova", "vdb")).isEmpty();
    assertThat(DomainXml.parse(hv.xml("nova", false)).source("vdb"))
        .isEqualTo(DiskSource.file(src.toString()));

    virshCopy("nova", dst, 1);
    svc.setBandwidth("nova", "vdb", 0);
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!hv.blockJob("nova", "vdb").orElseThrow().ready() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(svc.listBlockJobs("nova").get(0).info().bandwidth()).isZero();
    assertThatThrownBy(() -> svc.abortForeign("nova", "vdb"))
        .isInstanceOf(FerryException.class).hasMessageContaining("pivot decision")
        .extracting(e -> ((FerryException) e).reason()).isEqualTo(Reason.FAILED_PRECONDITION);
    assertThat(hv.blockJob("nova", "vdb")).isPresent(); // untouched: its owner decides
    hv.abortJob("nova", "vdb", false);
  }

  /** Starts a block copy the way Nova does, outside Ferry (virsh, transient job, reuse). */
  static void virshCopy(String domain, Path dst, int mibPerSec) throws Exception {
    Path xml = lab.work.resolve(domain + "-dest.xml");
    Files.writeString(xml, DestinationDisk.file(dst.toString(), "qcow2").xml());
    LibvirtLab.run("virsh", "-c", lab.uri, "blockcopy", domain, "vdb", "--xml", xml.toString(),
        "--transient-job", "--reuse-external", "--bandwidth", Integer.toString(mibPerSec),
        // QEMU's rate limit applies between bursts of up to the buffer size (default 16 MiB,
        // the whole test disk): a small buffer keeps the copy slow from its first second.
        "--buf-size", Integer.toString(256 * 1024));
  }
}
