package io.ferry.virt;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A lab Ceph cluster from scripts/ceph-lab.sh (pools a and b), for the RBD live-mirror tests. */
final class CephLab implements AutoCloseable {

  final String name;
  final String conf;
  final int monV1Port;

  private CephLab(String name, String conf, int monV1Port) {
    this.name = name;
    this.conf = conf;
    this.monV1Port = monV1Port;
  }

  static CephLab start(String name) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/ceph-mon")), "ceph-mon is not installed");
    name = io.ferry.device.rbd.CephLab.tagged(name);
    String script = script();
    LibvirtLab.run(script, "start", name, "--osd-size", "4G");
    String conf = null;
    int port = 0;
    for (String line : LibvirtLab.run(script, "env", name).split("\n")) {
      if (line.startsWith("export CEPH_CONF=")) {
        conf = line.substring("export CEPH_CONF=".length()).trim();
      } else if (line.startsWith("export FERRY_CEPH_MON_PORT=")) {
        port = Integer.parseInt(line.substring("export FERRY_CEPH_MON_PORT=".length()).trim());
      }
    }
    // The monitor's msgr v1 port is the v2 port + 1; QEMU's rbd driver reaches it as host:port.
    return new CephLab(name, conf, port + 1);
  }

  static String script() {
    return Path.of(LibvirtLab.script()).resolveSibling("ceph-lab.sh").toString();
  }

  void create(String poolImage, long size) throws Exception {
    LibvirtLab.run("timeout", "60", "rbd", "--conf", conf, "create", poolImage, "--size",
        (size >> 20) + "M");
  }

  void remove(String poolImage) throws Exception {
    LibvirtLab.run("timeout", "60", "rbd", "--conf", conf, "rm", "--no-progress", poolImage);
  }

  boolean exists(String poolImage) throws Exception {
    try {
      LibvirtLab.run("timeout", "60", "rbd", "--conf", conf, "info", poolImage);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** qemu's name for the image, for qemu-io. */
  String qemuName(String poolImage) {
    return "rbd:" + poolImage + ":conf=" + conf;
  }

  void fill(String poolImage, int pattern, long off, long len) throws Exception {
    LibvirtLab.run("qemu-io", "-f", "raw", "-c",
        String.format("write -P 0x%02x %d %d", pattern, off, len), qemuName(poolImage));
  }

  /** The lab's domain helper's disk argument. */
  String domainDisk(String poolImage) {
    return "rbd:" + poolImage + "@127.0.0.1:" + monV1Port;
  }

  DestinationDisk destination(String pool, String image) {
    return DestinationDisk.rbd(new DestinationDisk.Rbd(
        List.of(new DestinationDisk.Monitor("127.0.0.1", monV1Port)), pool, image, null, null));
  }

  @Override
  public void close() throws Exception {
    LibvirtLab.run(script(), "purge", name);
  }
}
