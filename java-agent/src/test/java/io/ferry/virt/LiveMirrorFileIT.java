package io.ferry.virt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live mirror of a file-backed disk of a running (no-OS, TCG) domain on the lab libvirtd, with
 * writes injected through the mirroring QEMU while the copy runs.
 */
class LiveMirrorFileIT {

  static final long MIB = 1 << 20;
  static LibvirtLab lab;
  static Hypervisor hv;

  @BeforeAll
  static void up() throws Exception {
    lab = LibvirtLab.start("file");
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
  void pivotCarriesEveryWriteAndTheDomainStaysDefined() throws Exception {
    Path src = lab.qcow2("pivot-src.qcow2", 256 * MIB);
    LibvirtLab.fill(src, 0x11, 0, 32 * MIB);
    LibvirtLab.fill(src, 0x11, 128 * MIB, 32 * MIB); // beyond the writer's region
    Path dst = lab.qcow2("pivot-dst.qcow2", 256 * MIB);
    lab.domain("pivot", "file:" + src);
    Recorder rec = new Recorder();
    AtomicBoolean alwaysPersistent = new AtomicBoolean(true);
    Thread watch = persistenceWatch("pivot", alwaysPersistent);
    MirrorRequest req = new MirrorRequest("pivot", "vdb", DestinationDisk.file(dst.toString(),
        "qcow2"), 16 * MIB, 0, 0, Convergence.none(Duration.ofSeconds(60)), true, null);
    MirrorOutcome out;
    Map<Long, Integer> written;
    try (HmpWriter w = new HmpWriter(hv, "pivot", 64 * MIB, 20).start()) {
      out = LiveMirror.start(hv, req, rec).await(Duration.ofSeconds(120));
      Thread.sleep(300); // a few writes after the pivot land on the new disk too
      w.close();
      written = w.recorded();
      assertThat(w.writes()).isGreaterThan(20);
    } finally {
      watch.interrupt();
    }
    assertThat(out.state()).as(out.detail()).isEqualTo(MirrorState.COMPLETED);
    assertThat(rec.states).containsSubsequence(MirrorState.SYNCING, MirrorState.READY,
        MirrorState.PIVOTING, MirrorState.COMPLETED);
    assertThat(rec.progress).anyMatch(p -> p.cur() > 0 && p.end() > p.cur());
    assertThat(alwaysPersistent).isTrue();
    assertThat(DomainXml.parse(hv.xml("pivot", true)).source("vdb"))
        .isEqualTo(DiskSource.file(dst.toString()));
    assertThat(DomainXml.parse(hv.xml("pivot", false)).source("vdb"))
        .isEqualTo(DiskSource.file(dst.toString()));
    hv.hmp("pivot", "qemu-io -d /machine/peripheral/virtio-disk1/virtio-backend \"flush\"");
    assertPatterns(dst, written);
    assertPatterns(dst, Map.of(150 * MIB, 0x11, 159 * MIB, 0x11));
  }

  @Test
  void cancelBeforeReadyLeavesTheGuestOnItsSource() throws Exception {
    Path src = lab.qcow2("cancel-src.qcow2", 256 * MIB);
    LibvirtLab.fill(src, 0x22, 0, 64 * MIB);
    Path dst = lab.qcow2("cancel-dst.qcow2", 256 * MIB);
    lab.domain("cancel", "file:" + src);
    Recorder rec = new Recorder();
    MirrorRequest req = new MirrorRequest("cancel", "vdb", DestinationDisk.file(dst.toString(),
        "qcow2"), 2 * MIB, Convergence.none(Duration.ofSeconds(60)), false);
    LiveMirror m = LiveMirror.start(hv, req, rec);
    Thread.sleep(1500);
    assertThat(m.state()).isEqualTo(MirrorState.SYNCING);
    m.cancel();
    MirrorOutcome out = m.await(Duration.ofSeconds(60));
    assertThat(out.state()).isEqualTo(MirrorState.CANCELLED);
    assertThat(hv.blockJob("cancel", "vdb")).isEmpty();
    assertThat(DomainXml.parse(hv.xml("cancel", false)).source("vdb"))
        .isEqualTo(DiskSource.file(src.toString()));
    assertThat(DomainXml.parse(hv.xml("cancel", true)).source("vdb"))
        .isEqualTo(DiskSource.file(src.toString()));
    assertThat(hv.isPersistent("cancel")).isTrue();
  }

  static Thread persistenceWatch(String domain, AtomicBoolean ok) {
    Thread t = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          if (!hv.isPersistent(domain)) {
            ok.set(false);
          }
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          ok.set(false);
        }
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Reads every block back from the image with qemu-io, an independent tool. */
  static void assertPatterns(Path img, Map<Long, Integer> blocks) throws Exception {
    assertPatterns(img.toString(), "qcow2", blocks);
  }

  static void assertPatterns(String img, String format, Map<Long, Integer> blocks)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of("qemu-io", "-r", "-U", "-f", format));
    for (Map.Entry<Long, Integer> e : blocks.entrySet()) {
      cmd.add("-c");
      cmd.add(String.format("read -P 0x%02x %d %d", e.getValue(), e.getKey(), HmpWriter.BLOCK));
    }
    cmd.add(img);
    String out = LibvirtLab.run(cmd);
    assertThat(out).doesNotContain("Pattern verification failed");
    assertThat(out.split("read 65536/65536 bytes", -1).length - 1).isEqualTo(blocks.size());
  }

  /** Keeps what a mirror reported. */
  static final class Recorder implements MirrorListener {
    final List<MirrorState> states = new CopyOnWriteArrayList<>();
    final List<MirrorProgress> progress = new CopyOnWriteArrayList<>();
    final List<MirrorEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onState(MirrorState state, String detail) {
      states.add(state);
    }

    @Override
    public void onProgress(MirrorProgress p) {
      progress.add(p);
    }

    @Override
    public void onEvent(MirrorEvent e) {
      events.add(e);
    }
  }
}
