// Live-mirror benchmark: Ferry's LiveMirror (convergence policy on) against a plain block copy
// run the way Nova runs it (virsh blockcopy --transient-job --reuse-external --wait --pivot: no
// bandwidth, granularity or buffer settings, no timeout but ours), on the same kind of disk with
// the same writer. Run through bench/live-mirror.sh, which starts and stops the lab daemons.
//
// Figures per run: time to READY, total time (start to pivot done), the writer's rate during the
// copy (64 KiB random writes injected through the mirroring QEMU, as a guest's would pass), and
// the pause at pivot (the longest gap between two completed writes around the pivot).

import io.ferry.virt.Convergence;
import io.ferry.virt.DestinationDisk;
import io.ferry.virt.Hypervisor;
import io.ferry.virt.LiveMirror;
import io.ferry.virt.MirrorEvent;
import io.ferry.virt.MirrorListener;
import io.ferry.virt.MirrorOutcome;
import io.ferry.virt.MirrorProgress;
import io.ferry.virt.MirrorRequest;
import io.ferry.virt.MirrorState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

public class LiveMirrorBench {

  static final int BLOCK = 64 * 1024;
  static final String DEVICE = "/machine/peripheral/virtio-disk1/virtio-backend";

  record Result(String method, String outcome, double readySecs, double totalSecs,
      double writerMibs, double pivotPauseMs, String note) {}

  /** A writer whose completions can be counted and timed. */
  interface Load extends AutoCloseable {
    double maxGapMs(long from, long to) throws Exception;

    double mibsBetween(long from, long to) throws Exception;
  }

  /**
   * fio with its nbd engine against an NBD export of the disk served by the mirroring QEMU itself
   * (nbd-server-start + block-export-add on the device's node, the disk being shareable): the
   * writes pass the mirror like a guest's, at fio's rate. LAB.md's non-converging writer.
   */
  static final class FioWriter implements Load {
    final Process p;
    final long startNanos;
    final Path log;
    List<long[]> ios; // {completion nanoTime, latency ns}

    FioWriter(Hypervisor hv, String domain, String work, long size, String rate) throws Exception {
      Path sock = Path.of(work, domain + ".nbd");
      Files.deleteIfExists(sock);
      String q = hv.qmp(domain, "{\"execute\":\"query-block\"}");
      String node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(q).get("return")
          .findParent("inserted").get("inserted").get("node-name").asText();
      hv.qmp(domain, "{\"execute\":\"nbd-server-start\",\"arguments\":{\"addr\":{\"type\":"
          + "\"unix\",\"data\":{\"path\":\"" + sock + "\"}}}}");
      hv.qmp(domain, "{\"execute\":\"block-export-add\",\"arguments\":{\"type\":\"nbd\","
          + "\"id\":\"bench\",\"node-name\":\"" + node + "\",\"writable\":true,"
          + "\"name\":\"vdb\"}}");
      log = Path.of(work, domain + "-lat");
      List<String> cmd = new ArrayList<>(List.of("fio", "--name=guest", "--ioengine=nbd",
          "--uri=nbd+unix:///vdb?socket=" + sock, "--rw=randwrite", "--bs=64k",
          "--size=" + size, "--time_based", "--runtime=900", "--iodepth=4", "--refill_buffers",
          "--write_lat_log=" + log, "--log_avg_msec=0"));
      if (!rate.isEmpty()) {
        cmd.add("--rate=" + rate);
      }
      startNanos = System.nanoTime();
      p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(Path.of(work, domain + "-fio.out").toFile()).start();
    }

    List<long[]> ios() throws Exception {
      if (ios == null) {
        ios = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(log + "_clat.1.log"))) {
          String[] f = line.split(",\\s*");
          ios.add(new long[] {startNanos + Long.parseLong(f[0]) * 1_000_000L, Long.parseLong(f[1])});
        }
      }
      return ios;
    }

    public double maxGapMs(long from, long to) throws Exception {
      long max = 0;
      for (long[] io : ios()) {
        if (io[0] >= from && io[0] <= to) {
          max = Math.max(max, io[1]);
        }
      }
      return max / 1e6;
    }

    public double mibsBetween(long from, long to) throws Exception {
      long n = ios().stream().filter(io -> io[0] >= from && io[0] <= to).count();
      return n * (double) BLOCK / (1 << 20) / ((to - from) / 1e9);
    }

    @Override
    public void close() throws Exception {
      new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
      p.waitFor();
    }
  }

  /** Writes random 64 KiB blocks through HMP qemu-io; remembers completion times. */
  static final class Writer implements Load {
    final Hypervisor hv;
    final String domain;
    final long blocks;
    final AtomicLong writes = new AtomicLong();
    final List<Long> done = new ArrayList<>();
    volatile boolean stop;
    final Thread t;

    Writer(Hypervisor hv, String domain, long size) {
      this.hv = hv;
      this.domain = domain;
      this.blocks = size / BLOCK;
      this.t = new Thread(this::run, "writer");
      t.start();
    }

    void run() {
      Random r = new Random(7);
      while (!stop) {
        long off = (long) r.nextInt((int) blocks) * BLOCK;
        hv.hmp(domain, String.format("qemu-io -d %s \"write -P 0x%02x %d %d\"", DEVICE,
            1 + r.nextInt(250), off, BLOCK));
        writes.incrementAndGet();
        synchronized (done) {
          done.add(System.nanoTime());
        }
      }
    }

    /** Longest gap between completed writes within [from, to] (nanoTime). */
    public double maxGapMs(long from, long to) {
      long max = 0;
      Long prev = null;
      synchronized (done) {
        for (long t : done) {
          if (t < from || t > to) {
            continue;
          }
          if (prev != null) {
            max = Math.max(max, t - prev);
          }
          prev = t;
        }
      }
      return max / 1e6;
    }

    public double mibsBetween(long from, long to) {
      long n = 0;
      synchronized (done) {
        for (long t : done) {
          if (t >= from && t <= to) {
            n++;
          }
        }
      }
      return n * (double) BLOCK / (1 << 20) / ((to - from) / 1e9);
    }

    @Override
    public void close() throws Exception {
      stop = true;
      t.join();
    }
  }

  static String fioRate = "-";

  public static void main(String[] a) throws Exception {
    String uri = a[0];
    String script = a[1];
    String labDir = a[2];
    String work = a[3];
    long size = Long.parseLong(a[4]) << 20;
    int budget = Integer.parseInt(a[5]);
    String rbdSpec = a.length > 6 ? a[6] : ""; // "CONF@PORT" for RBD pool a -> pool b
    fioRate = a.length > 7 ? a[7] : "";          // "-": HMP writer; "" or "20m": fio over NBD
    List<Result> results = new ArrayList<>();
    try (Hypervisor hv = Hypervisor.connect(uri)) {
      results.add(run(hv, "nova (virsh blockcopy)", true, uri, script, labDir, work, size,
          budget, rbdSpec));
      results.add(run(hv, "ferry (policy: all steps)", false, uri, script, labDir, work, size,
          budget, rbdSpec));
    }
    System.out.printf("%n%-28s %-12s %10s %10s %12s %14s  %s%n", "method", "outcome",
        "ready s", "total s", "writer MiB/s", "pivot pause ms", "note");
    for (Result r : results) {
      System.out.printf("%-28s %-12s %10.1f %10.1f %12.1f %14.0f  %s%n", r.method(), r.outcome(),
          r.readySecs(), r.totalSecs(), r.writerMibs(), r.pivotPauseMs(), r.note());
    }
  }

  static Result run(Hypervisor hv, String method, boolean nova, String uri, String script,
      String labDir, String work, long size, int budget, String rbdSpec) throws Exception {
    String name = nova ? "bench-nova" : "bench-ferry";
    DestinationDisk dest;
    String disk;
    if (rbdSpec.isEmpty()) {
      String fmt = fioRate.equals("-") ? "qcow2" : "raw"; // shareable disks: raw
      Path src = Path.of(work, name + "-src." + fmt);
      Path dst = Path.of(work, name + "-dst." + fmt);
      sh("qemu-img", "create", "-q", "-f", fmt, src.toString(), Long.toString(size));
      sh("qemu-io", "-f", fmt, "-c", "write -P 0x11 0 " + size, src.toString());
      sh("qemu-img", "create", "-q", "-f", fmt, dst.toString(), Long.toString(size));
      dest = DestinationDisk.file(dst.toString(), fmt);
      disk = "file:" + src;
    } else {
      String conf = rbdSpec.substring(0, rbdSpec.indexOf('@'));
      int port = Integer.parseInt(rbdSpec.substring(rbdSpec.indexOf('@') + 1));
      String mb = (size >> 20) + "M";
      sh("rbd", "--conf", conf, "create", "a/" + name, "--size", mb);
      sh("qemu-io", "-f", "raw", "-c", "write -P 0x11 0 " + size, "rbd:a/" + name + ":conf=" + conf);
      sh("rbd", "--conf", conf, "create", "b/" + name, "--size", mb);
      dest = DestinationDisk.rbd(new DestinationDisk.Rbd(
          List.of(new DestinationDisk.Monitor("127.0.0.1", port)), "b", name, null, null));
      disk = "rbd:a/" + name + "@127.0.0.1:" + port;
    }
    sh(script, "undefine", labDir, name);
    sh(script, "domain", labDir, name, disk);
    Load w = fioRate.equals("-") ? new Writer(hv, name, size)
        : new FioWriter(hv, name, work, size, fioRate);
    Thread.sleep(2000); // the writer's rate alone
    long t0 = System.nanoTime();
    double before = w instanceof FioWriter ? 0 : w.mibsBetween(t0 - 2_000_000_000L, t0);
    long[] readyAt = {0};
    long pivotStart;
    long end;
    String outcome;
    String note;
    if (nova) {
      Path xml = Path.of(work, name + "-dest.xml");
      Files.writeString(xml, dest.xml());
      Thread poll = new Thread(() -> {
        while (readyAt[0] == 0) {
          try {
            if (hv.blockJob(name, "vdb").map(j -> j.ready()).orElse(false)) {
              readyAt[0] = System.nanoTime();
            }
            Thread.sleep(100);
          } catch (Exception e) {
            return;
          }
        }
      });
      poll.setDaemon(true);
      poll.start();
      Process p = new ProcessBuilder("virsh", "-c", uri, "blockcopy", name, "vdb", "--xml",
          xml.toString(), "--transient-job", "--reuse-external", "--wait", "--pivot",
          "--timeout", Integer.toString(budget * 4)).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      end = System.nanoTime();
      pivotStart = readyAt[0] == 0 ? end : readyAt[0];
      outcome = out.contains("Successfully pivoted") ? "pivoted" : "not ready";
      note = outcome.equals("pivoted") ? "" : "gave up after " + budget * 4 + " s (Nova: never)";
      if (hv.blockJob(name, "vdb").isPresent()) {
        hv.abortJob(name, "vdb", false);
      }
    } else {
      List<String> steps = new ArrayList<>();
      long[] pivotAt = {0};
      MirrorListener l = new MirrorListener() {
        public void onState(MirrorState s, String d) {
          if (s == MirrorState.READY) {
            readyAt[0] = System.nanoTime();
          } else if (s == MirrorState.PIVOTING) {
            pivotAt[0] = System.nanoTime();
          }
        }

        public void onProgress(MirrorProgress p) {}

        public void onEvent(MirrorEvent e) {
          if (e.step() != null) {
            steps.add(e.step() + String.format("@%.0fs", (System.nanoTime() - t0) / 1e9));
          }
        }
      };
      Convergence policy = Convergence.all(Duration.ofSeconds(budget), 0, 4L << 20);
      MirrorOutcome o = LiveMirror.start(hv, new MirrorRequest(name, "vdb", dest, 0, 0, 0,
          policy, true, null), l).await(Duration.ofSeconds(budget * 6L));
      end = System.nanoTime();
      pivotStart = pivotAt[0] == 0 ? end : pivotAt[0];
      outcome = o.state() == MirrorState.COMPLETED ? "pivoted" : o.state().name().toLowerCase();
      note = "steps " + steps + (o.convergedBy() == null ? "" : ", converged by " + o.convergedBy());
    }
    w.close();
    if (w instanceof FioWriter) {
      before = w.mibsBetween(t0 - 2_000_000_000L, t0);
    }
    double ready = readyAt[0] == 0 ? Double.NaN : (readyAt[0] - t0) / 1e9;
    double pause = w.maxGapMs(pivotStart - 200_000_000L, end + 2_000_000_000L);
    double during = w.mibsBetween(t0, readyAt[0] == 0 ? end : readyAt[0]);
    sh(script, "undefine", labDir, name);
    return new Result(method, outcome, ready, (end - t0) / 1e9, during, pause,
        String.format("writer alone %.1f MiB/s; ", before) + note);
  }

  static void sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }
  }
}
