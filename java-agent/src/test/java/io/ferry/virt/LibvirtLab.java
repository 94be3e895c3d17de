package io.ferry.virt;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The project's lab libvirtd (scripts/libvirt-lab.sh) for integration tests, plus the disk and
 * domain helpers they share. Tests are skipped (assumption) only when qemu or libvirtd is not
 * installed.
 */
public final class LibvirtLab implements AutoCloseable {

  public final Path dir;
  public final Path work;
  public final String uri;

  private LibvirtLab(Path dir, Path work, String uri) {
    this.dir = dir;
    this.work = work;
    this.uri = uri;
  }

  public static LibvirtLab start(String name) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/libvirtd")), "libvirtd is not installed");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64")),
        "qemu-system-x86 is not installed");
    name = io.ferry.device.rbd.CephLab.tagged(name);
    Path dir = Path.of("/tmp/ferry-virt-it", name);
    Path work = Path.of("/tmp/ferry-virt-it", name + "-disks");
    Files.createDirectories(work);
    String uri = run(script(), "start", dir.toString()).trim();
    return new LibvirtLab(dir, work, uri);
  }

  static String script() {
    Path p = Path.of("..", "scripts", "libvirt-lab.sh");
    if (!Files.exists(p)) {
      p = Path.of("scripts", "libvirt-lab.sh");
    }
    return p.toAbsolutePath().normalize().toString();
  }

  /** Defines (persistent) and starts a tiny domain whose vdb is {@code disk}. */
  public void domain(String name, String disk) throws Exception {
    run(script(), "undefine", dir.toString(), name);
    run(script(), "domain", dir.toString(), name, disk);
  }

  public Path qcow2(String name, long size) throws Exception {
    Path p = work.resolve(name);
    Files.deleteIfExists(p);
    run("qemu-img", "create", "-q", "-f", "qcow2", p.toString(), Long.toString(size));
    return p;
  }

  /** Writes {@code len} bytes of {@code pattern} at {@code off} with qemu-io (domain not running). */
  public static void fill(Path img, int pattern, long off, long len) throws Exception {
    run("qemu-io", "-f", "qcow2", "-c",
        String.format("write -P 0x%02x %d %d", pattern, off, len), img.toString());
  }

  @Override
  public void close() throws Exception {
    run(script(), "stop", dir.toString());
  }

  public static String run(String... cmd) throws Exception {
    return run(List.of(cmd));
  }

  static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }
}
