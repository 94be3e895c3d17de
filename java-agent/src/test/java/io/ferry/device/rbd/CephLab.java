package io.ferry.device.rbd;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A lab Ceph cluster for integration tests, started and stopped through the project's own
 * {@code scripts/ceph-lab.sh}, plus the {@code rbd} CLI as an independent checker, and what the
 * live-mirror tests need (QEMU's names for images, libvirt disk sources). The one helper for
 * every Ceph-backed test; names get {@code FERRY_LAB_TAG} appended ({@link #tagged}).
 */
public final class CephLab implements AutoCloseable {

  private final String name;
  private final Path conf;

  private CephLab(String name, Path conf) {
    this.name = name;
    this.conf = conf;
  }

  /** Skips the calling test (never silently) unless Ceph's binaries are installed. */
  public static void assumeCephInstalled() {
    for (String bin : List.of("ceph-mon", "ceph-mgr", "ceph-osd", "ceph", "rbd")) {
      boolean present = Files.isExecutable(Path.of("/usr/bin", bin));
      assumeTrue(present, "Ceph binary /usr/bin/" + bin + " absent: install ceph-mon ceph-mgr ceph-osd "
          + "ceph-common (scripts/install-deps.sh) to run the Ceph integration tests");
    }
  }

  /** Starts (or finds running) the lab cluster {@code name}. */
  public static CephLab start(String name) {
    return start(name, new String[0]);
  }

  /**
   * Starts (or finds running) the lab cluster {@code name} with more options of {@code
   * scripts/ceph-lab.sh start}, e.g. {@code "--auth", "cephx"} or {@code "--osd-size", "4G"}.
   */
  public static CephLab start(String name, String... options) {
    assumeCephInstalled();
    name = tagged(name);
    List<String> cmd = new ArrayList<>(List.of(script().toString(), "start", name));
    cmd.addAll(List.of(options));
    Result r = run(300, cmd.toArray(String[]::new));
    if (r.code != 0) {
      throw new IllegalStateException("scripts/ceph-lab.sh start " + name + " failed:\n" + r.output);
    }
    return new CephLab(name, Path.of("/tmp/ferry-ceph", name, "ceph.conf"));
  }

  /**
   * The lab name with {@code FERRY_LAB_TAG} appended, so that two checkouts can run the
   * integration tests side by side without sharing (or stopping) each other's clusters.
   */
  public static String tagged(String name) {
    String tag = System.getenv("FERRY_LAB_TAG");
    return tag == null || tag.isBlank() ? name : name + "-" + tag;
  }

  /** The monitor's msgr v1 port (the v2 port + 1): QEMU's rbd driver reaches it as host:port. */
  public int monV1Port() {
    try {
      return Integer.parseInt(Files.readString(dir().resolve("port")).trim()) + 1;
    } catch (IOException e) {
      throw new IllegalStateException("no port file in " + dir(), e);
    }
  }

  /** Creates {@code pool/image} of {@code size} bytes (whole MiB). */
  public void create(String poolImage, long size) {
    rbd("create", poolImage, "--size", (size >> 20) + "M");
  }

  public void remove(String poolImage) {
    rbd("rm", "--no-progress", poolImage);
  }

  public boolean exists(String poolImage) {
    return rbdResult("info", poolImage).code() == 0;
  }

  /** QEMU's name for the image, for qemu-io and qemu-img. */
  public String qemuName(String poolImage) {
    return "rbd:" + poolImage + ":conf=" + conf;
  }

  /** Writes byte {@code pattern} over [off, off+len) through QEMU's rbd driver. */
  public void fill(String poolImage, int pattern, long off, long len) {
    Result r = run(300, "qemu-io", "-f", "raw", "-c",
        String.format("write -P 0x%02x %d %d", pattern, off, len), qemuName(poolImage));
    if (r.code != 0) {
      throw new AssertionError("qemu-io write on " + poolImage + " exited " + r.code + ":\n" + r.output);
    }
  }

  /** The libvirt lab helper's disk argument for the image. */
  public String domainDisk(String poolImage) {
    return "rbd:" + poolImage + "@127.0.0.1:" + monV1Port();
  }

  /** A live mirror's destination disk on this cluster (no cephx user). */
  public io.ferry.virt.DestinationDisk destination(String pool, String image) {
    return io.ferry.virt.DestinationDisk.rbd(new io.ferry.virt.DestinationDisk.Rbd(
        List.of(new io.ferry.virt.DestinationDisk.Monitor("127.0.0.1", monV1Port())), pool, image,
        null, null));
  }

  /** Stops the cluster and deletes its directory (as {@link #purge()}). */
  @Override
  public void close() {
    purge();
  }

  /** Stops the cluster and deletes its directory. */
  public void purge() {
    Result r = run(120, script().toString(), "purge", name);
    if (r.code != 0) {
      throw new IllegalStateException("scripts/ceph-lab.sh purge " + name + " failed:\n" + r.output);
    }
  }

  public String name() {
    return name;
  }

  public Path conf() {
    return conf;
  }

  /** The cluster's directory (config, keyrings, daemons' data). */
  public Path dir() {
    return conf.getParent();
  }

  /** With {@code --auth cephx}: the keyring of the restricted RBD user client.ferry. */
  public Path clientKeyring() {
    return dir().resolve("client.ferry.keyring");
  }

  public RbdClusterSpec spec() {
    return RbdClusterSpec.of(name, conf);
  }

  /** Runs {@code rbd --conf <conf> args...}; fails the test on a non-zero exit. */
  public String rbd(String... args) {
    Result r = rbdResult(args);
    if (r.code != 0) {
      throw new AssertionError("rbd " + String.join(" ", args) + " exited " + r.code + ":\n" + r.output);
    }
    return r.output;
  }

  public Result rbdResult(String... args) {
    List<String> cmd = new ArrayList<>(List.of("rbd", "--conf", conf.toString()));
    cmd.addAll(List.of(args));
    return run(300, cmd.toArray(String[]::new));
  }

  /** Runs a shell command with CEPH_CONF set to this cluster. */
  public String sh(String command) {
    Result r = run(600, "bash", "-c", "export CEPH_CONF=" + conf + "; set -o pipefail; " + command);
    if (r.code != 0) {
      throw new AssertionError("'" + command + "' exited " + r.code + ":\n" + r.output);
    }
    return r.output;
  }

  /** sha256 of {@code rbd export pool/image -} (the image's whole content). */
  public String exportSha256(String spec) {
    return sh("rbd export --no-progress " + spec + " - | sha256sum | cut -d' ' -f1").trim();
  }

  /** Bytes actually used by the image ({@code rbd du}, USED column, in bytes). */
  public long usedBytes(String spec) {
    if (rbd("info", spec).contains("size 0 B")) {
      return 0; // `rbd du` of an empty image aborts in librbd 16 (DiffIterate.cc:341 assert)
    }
    String out = sh("rbd du --format json " + spec);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"used_size\":(\\d+)").matcher(out);
    long used = -1;
    while (m.find()) {
      used = Long.parseLong(m.group(1)); // the last entry is the image head
    }
    return used;
  }

  public List<String> images(String pool) {
    String out = rbd("ls", pool).trim();
    return out.isEmpty() ? List.of() : List.of(out.split("\n"));
  }

  public List<String> snapshotNames(String spec) {
    String out = sh("rbd snap ls --format json " + spec);
    List<String> names = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"name\":\"([^\"]*)\"").matcher(out);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  static Path script() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path s = dir.resolve("scripts/ceph-lab.sh");
      if (Files.isRegularFile(s)) {
        return s;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("scripts/ceph-lab.sh not found above " + Path.of("").toAbsolutePath());
  }

  public record Result(int code, String output) {}

  static Result run(int timeoutSeconds, String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "timed out after " + timeoutSeconds + "s: " + String.join(" ", cmd));
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
