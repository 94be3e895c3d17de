package io.ferry.virt;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.rbd.CephLab;
import io.ferry.virt.Convergence.Step;
import io.ferry.virt.LiveMirrorFileIT.Recorder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live mirror of an RBD disk of a running domain: pool a to pool b of the same lab cluster, and
 * to a second cluster, with writes injected through the mirroring QEMU.
 */
class LiveMirrorRbdIT {

  static final long MIB = 1 << 20;
  static LibvirtLab lab;
  static CephLab ceph;
  static Hypervisor hv;

  @BeforeAll
  static void up() throws Exception {
    lab = LibvirtLab.start("rbd");
    ceph = CephLab.start("virt-it");
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
    if (ceph != null) {
      ceph.close();
    }
  }

  @Test
  void poolAToPoolBPivotsWithEveryWrite() throws Exception {
    mirrorAndPivot("p1", ceph, "b/p1-dst");
  }

  @Test
  void toASecondClusterPivotsWithEveryWrite() throws Exception {
    try (CephLab other = CephLab.start("virt-it2")) {
      mirrorAndPivot("x1", other, "b/x1-dst");
    }
  }

  void mirrorAndPivot(String name, CephLab destCluster, String dest) throws Exception {
    ceph.create("a/" + name, 64 * MIB);
    ceph.fill("a/" + name, 0x77, 0, 32 * MIB);
    destCluster.create(dest, 64 * MIB);
    lab.domain(name, ceph.domainDisk("a/" + name));
    String[] pi = dest.split("/");
    DestinationDisk d = destCluster.destination(pi[0], pi[1]);
    AtomicBoolean persistent = new AtomicBoolean(true);
    Thread watch = persistenceWatch(name, persistent);
    Recorder rec = new Recorder();
    MirrorOutcome out;
    Map<Long, Integer> written;
    try (HmpWriter w = new HmpWriter(hv, name, 32 * MIB, 20).start()) {
      out = LiveMirror.start(hv, new MirrorRequest(name, "vdb", d, 8 * MIB,
          Convergence.none(Duration.ofSeconds(90)), true), rec).await(Duration.ofSeconds(180));
      w.close();
      written = w.recorded();
    } finally {
      watch.interrupt();
    }
    assertThat(out.state()).as(out.detail()).isEqualTo(MirrorState.COMPLETED);
    assertThat(written).isNotEmpty();
    assertThat(persistent).isTrue();
    assertThat(DomainXml.parse(hv.xml(name, true)).source("vdb")).isEqualTo(DiskSource.rbd(dest));
    LiveMirrorFileIT.assertPatterns(destCluster.qemuName(dest), "raw", written);
    LiveMirrorFileIT.assertPatterns(destCluster.qemuName(dest), "raw",
        Map.of(48 * MIB, 0x00, 31 * MIB, written.getOrDefault(31 * MIB, 0x77)));
    lab.run(LibvirtLab.script(), "undefine", lab.dir.toString(), name);
  }

  @Test
  void cancelBeforeReadyKeepsTheGuestOnPoolA() throws Exception {
    ceph.create("a/c1", 64 * MIB);
    ceph.fill("a/c1", 0x78, 0, 64 * MIB);
    ceph.create("b/c1-dst", 64 * MIB);
    lab.domain("c1", ceph.domainDisk("a/c1"));
    LiveMirror m = LiveMirror.start(hv, new MirrorRequest("c1", "vdb",
        ceph.destination("b", "c1-dst"), 2 * MIB, Convergence.none(null), false), null);
    Thread.sleep(1500);
    m.cancel();
    MirrorOutcome out = m.await(Duration.ofSeconds(60));
    assertThat(out.state()).isEqualTo(MirrorState.CANCELLED);
    assertThat(DomainXml.parse(hv.xml("c1", false)).source("vdb")).isEqualTo(DiskSource.rbd("a/c1"));
    assertThat(DomainXml.parse(hv.xml("c1", true)).source("vdb")).isEqualTo(DiskSource.rbd("a/c1"));
    ceph.remove("b/c1-dst"); // the caller removes the abandoned destination
    assertThat(ceph.exists("b/c1-dst")).isFalse();
    lab.run(LibvirtLab.script(), "undefine", lab.dir.toString(), "c1");
  }

  @Test
  void writeBlockingConvergesWhereBackgroundModeCannot() throws Exception {
    ceph.create("a/w1", 8 * MIB);
    ceph.fill("a/w1", 0x79, 0, 8 * MIB);
    ceph.create("b/w1-dst", 8 * MIB);
    lab.domain("w1", ceph.domainDisk("a/w1"));
    Convergence policy = new Convergence(Duration.ofSeconds(12), false, 0, true, false, false, 0);
    Recorder rec = new Recorder();
    MirrorOutcome out;
    Map<Long, Integer> written;
    try (HmpWriter w = new HmpWriter(hv, "w1", 8 * MIB, 0).start()) {
      Thread.sleep(500);
      out = LiveMirror.start(hv, new MirrorRequest("w1", "vdb", ceph.destination("b", "w1-dst"),
          MIB, 64 * 1024, 256 * 1024, policy, true, null), rec).await(Duration.ofSeconds(120));
      w.close();
      written = w.recorded();
    }
    assertThat(out.state()).as(out.detail()).isEqualTo(MirrorState.COMPLETED);
    assertThat(out.convergedBy()).isEqualTo(Step.WRITE_BLOCKING);
    assertThat(rec.events).anyMatch(e -> e.step() == Step.WRITE_BLOCKING && e.dirtyRate() > 0);
    LiveMirrorFileIT.assertPatterns(ceph.qemuName("b/w1-dst"), "raw", written);
    lab.run(LibvirtLab.script(), "undefine", lab.dir.toString(), "w1");
  }

  /**
   * Why live mirrors refuse RBD namespaces (DestinationDisk#namespaceRefused): QEMU 7.2 can open
   * an image in a namespace, but libvirt 9.0 hands "ns/image" to it as the image name. If this
   * test fails, libvirt has learnt namespaces and Ferry could support them.
   */
  @Test
  void libvirtCannotNameAnRbdNamespaceInADisksSource() throws Exception {
    ceph.create("a/n1", 16 * MIB);
    ceph.rbd("namespace", "create", "b/ns1");
    ceph.create("b/ns1/n1-dst", 16 * MIB);
    LibvirtLab.run("qemu-io", "-r", "-c", "read -P 0 0 64k", "--image-opts",
        "driver=raw,file.driver=rbd,file.pool=b,file.namespace=ns1,file.image=n1-dst,file.conf="
            + ceph.conf()); // QEMU itself reaches the image in the namespace
    lab.domain("n1", ceph.domainDisk("a/n1"));
    String xml = "<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
        + "<source protocol='rbd' name='b/ns1/n1-dst'><host name='127.0.0.1' port='"
        + ceph.monV1Port() + "'/></source></disk>";
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> hv.blockCopy("n1", "vdb", xml,
            new Hypervisor.CopyParams(0, 0, 0), CopyMode.BACKGROUND))
        .isInstanceOf(io.ferry.error.FerryException.class)
        .hasMessageContaining("ns1/n1-dst");
    assertThat(hv.blockJob("n1", "vdb")).isEmpty();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DestinationDisk.fromXml(xml))
        .hasMessageContaining("RBD namespace");
    lab.run(LibvirtLab.script(), "undefine", lab.dir.toString(), "n1");
  }

  static Thread persistenceWatch(String domain, AtomicBoolean ok) {
    LiveMirrorFileIT.hv = hv;
    return LiveMirrorFileIT.persistenceWatch(domain, ok);
  }
}
