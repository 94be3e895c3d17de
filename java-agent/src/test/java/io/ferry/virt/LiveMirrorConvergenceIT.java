package io.ferry.virt;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.error.Reason;
import io.ferry.virt.Convergence.Step;
import io.ferry.virt.LiveMirrorFileIT.Recorder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LAB.md's non-converging case, made small: a writer keeps rewriting random 64 KiB blocks of an
 * 8 MiB disk through the mirroring QEMU faster than the mirror's cap (0.5-1 MiB/s) copies them. In
 * background mode the mirror never becomes READY; the convergence policy gets it there, and the
 * test checks which step did it.
 */
class LiveMirrorConvergenceIT {

  static final long MIB = 1 << 20;
  static final long REGION = 8 * MIB; // the whole disk: with a cap QEMU charges holes too
  // A small buffer keeps QEMU's rate limit smooth: with the default (large) buffer it copies a
  // whole buffer at once and then sleeps for buffer/cap seconds, READY or not.
  static final int GRANULARITY = 64 * 1024;
  static final long BUF = 256 * 1024;
  static final Duration BUDGET = Duration.ofSeconds(12);
  private static final Logger log = LoggerFactory.getLogger(LiveMirrorConvergenceIT.class);
  static LibvirtLab lab;
  static Hypervisor hv;

  @BeforeAll
  static void up() throws Exception {
    lab = LibvirtLab.start("conv");
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

  record Run(MirrorOutcome out, Recorder rec, Map<Long, Integer> written, Path src, Path dst,
      double writerMibPerSec) {}

  Run mirror(String name, long bandwidth, Convergence policy, boolean pivot) throws Exception {
    return mirror(name, bandwidth, policy, pivot, 0);
  }

  Run mirror(String name, long bandwidth, Convergence policy, boolean pivot, long writerPauseMillis)
      throws Exception {
    Path src = lab.qcow2(name + "-src.qcow2", REGION);
    LibvirtLab.fill(src, 0x33, 0, REGION);
    Path dst = lab.qcow2(name + "-dst.qcow2", REGION);
    lab.domain(name, "file:" + src);
    Recorder rec = new Recorder();
    MirrorRequest req = new MirrorRequest(name, "vdb", DestinationDisk.file(dst.toString(),
        "qcow2"), bandwidth, GRANULARITY, BUF, policy, pivot, null);
    long t0 = System.nanoTime();
    try (HmpWriter w = new HmpWriter(hv, name, REGION, writerPauseMillis).start()) {
      Thread.sleep(500);
      MirrorOutcome out = LiveMirror.start(hv, req, rec).await(Duration.ofSeconds(120));
      w.close();
      double secs = (System.nanoTime() - t0) / 1e9;
      double rate = w.writes() * HmpWriter.BLOCK / MIB / secs;
      log.info("{}: {} writes of 64 KiB in {} s = {} MiB/s; outcome {} ({}) events {}", name,
          w.writes(), secs, rate, out.state(), out.detail(), rec.events);
      return new Run(out, rec, w.recorded(), src, dst, rate);
    }
  }

  @Test
  void backgroundModeDoesNotConvergeAndReportsTheRates() throws Exception {
    Run r = mirror("nonconv", MIB / 2, Convergence.none(BUDGET), false);
    assertThat(r.out().state()).isEqualTo(MirrorState.FAILED);
    assertThat(r.out().reason()).isEqualTo(Reason.RESOURCE_EXHAUSTED);
    assertThat(r.out().detail()).contains("did not converge").contains("guest dirties");
    assertThat(r.rec().events).anyMatch(e -> e.kind().equals("convergence")
        && e.copyRate() + e.dirtyRate() > 0 && e.remaining() > 0);
    assertThat(r.rec().states).doesNotContain(MirrorState.READY);
    assertThat(hv.blockJob("nonconv", "vdb")).isEmpty();
    assertThat(DomainXml.parse(hv.xml("nonconv", false)).source("vdb"))
        .isEqualTo(DiskSource.file(r.src().toString()));
  }

  @Test
  void raisingBandwidthIsNotEnoughWriteBlockingConverges() throws Exception {
    Convergence policy = new Convergence(BUDGET, true, MIB, true, false, false, 0);
    Run r = mirror("wblock", MIB / 2, policy, true);
    assertThat(r.out().state()).as(r.out().detail()).isEqualTo(MirrorState.COMPLETED);
    assertThat(r.out().convergedBy()).isEqualTo(Step.WRITE_BLOCKING);
    assertThat(r.rec().events.stream().filter(e -> e.step() != null).map(MirrorEvent::step))
        .containsExactly(Step.RAISE_BANDWIDTH, Step.WRITE_BLOCKING);
    assertThat(DomainXml.parse(hv.xml("wblock", true)).source("vdb"))
        .isEqualTo(DiskSource.file(r.dst().toString()));
    LiveMirrorFileIT.assertPatterns(r.dst(), r.written());
  }

  @Test
  void throttlingTheGuestConvergesAndItsLimitsComeBack() throws Exception {
    Convergence policy = new Convergence(BUDGET, false, 0, false, false, true, 128 * 1024);
    // The policy acts only while the guest out-writes the copy (or nothing is gained): the
    // writer (11 MiB/s of 64 KiB rewrites through the monitor in a run at load 1) must dirty
    // faster than the 0.5 MiB/s cap: the dirty rate QEMU then shows equals the copy rate.
    Run r = mirror("throttle", MIB / 2, policy, true);
    assertThat(r.out().state()).as(r.out().detail()).isEqualTo(MirrorState.COMPLETED);
    assertThat(r.out().convergedBy()).isEqualTo(Step.THROTTLE_GUEST);
    assertThat(r.writerMibPerSec()).as("the writer must out-write the 0.5 MiB/s copy")
        .isGreaterThan(0.5);
    assertThat(r.rec().events).anyMatch(e -> e.step() == Step.THROTTLE_GUEST
        && e.savedIoTune() != null);
    assertThat(hv.ioTune("throttle", "vdb")).isEqualTo(new IoTune(0, 0, 0));
    LiveMirrorFileIT.assertPatterns(r.dst(), r.written());
  }

  @Test
  void aLightWriterConvergesWithoutAnyStepWhenTheFirstPassOutlastsTheBudget() throws Exception {
    // The 8 MiB first pass at 0.5 MiB/s takes ~16 s, well over the 5 s budget, while the writer
    // (one 64 KiB write every 0.5 s: ~0.12 MiB/s) dirties far less than the copy moves: the copy
    // gains all along, so every step waits and the guest is never slowed.
    Duration budget = Duration.ofSeconds(5);
    Run r = mirror("light", MIB / 2, Convergence.all(budget, 4 * MIB, 128 * 1024), true, 500);
    assertThat(r.out().state()).as(r.out().detail()).isEqualTo(MirrorState.COMPLETED);
    assertThat(r.out().convergedBy()).isNull();
    assertThat(r.rec().events).as("no convergence step taken").allMatch(e -> e.step() == null);
    assertThat(r.rec().events).as("the budget ran out and the step waited")
        .anyMatch(e -> e.kind().equals("convergence") && e.message().contains("waits"));
    assertThat(r.writerMibPerSec()).isLessThan(0.25);
    assertThat(hv.ioTune("light", "vdb")).isEqualTo(new IoTune(0, 0, 0));
    assertThat(DomainXml.parse(hv.xml("light", true)).source("vdb"))
        .isEqualTo(DiskSource.file(r.dst().toString()));
    LiveMirrorFileIT.assertPatterns(r.dst(), r.written());
  }
}
