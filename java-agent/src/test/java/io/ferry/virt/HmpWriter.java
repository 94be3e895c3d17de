package io.ferry.virt;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes 64 KiB blocks into a running domain's vdb through the QEMU that is mirroring it (HMP
 * {@code qemu-io} on the guest device's own block backend, so writes pass through the mirror
 * filter and any I/O throttle like a guest's would), and records the last pattern of each block.
 */
final class HmpWriter implements AutoCloseable {

  static final int BLOCK = 64 * 1024;
  private static final String DEVICE = "/machine/peripheral/virtio-disk1/virtio-backend";

  private final Hypervisor hv;
  private final String domain;
  private final long regionBlocks;
  private final long pauseMillis;
  private final Map<Long, Integer> lastPattern = new LinkedHashMap<>();
  private final AtomicLong writes = new AtomicLong();
  private final Thread thread;
  private volatile boolean stop;
  private volatile Throwable error;

  /** Random blocks within the first {@code regionBytes}; {@code pauseMillis} between writes. */
  HmpWriter(Hypervisor hv, String domain, long regionBytes, long pauseMillis) {
    this.hv = hv;
    this.domain = domain;
    this.regionBlocks = regionBytes / BLOCK;
    this.pauseMillis = pauseMillis;
    this.thread = new Thread(this::run, "hmp-writer");
  }

  HmpWriter start() {
    thread.start();
    return this;
  }

  static void write(Hypervisor hv, String domain, int pattern, long off, long len) {
    String out = hv.hmp(domain, String.format("qemu-io -d %s \"write -P 0x%02x %d %d\"",
        DEVICE, pattern, off, len));
    // qemu-io through HMP prints nothing on success and the error otherwise.
    if (!out.isBlank()) {
      throw new IllegalStateException("qemu-io write failed: " + out);
    }
  }

  private void run() {
    Random rnd = new Random(42);
    try {
      while (!stop) {
        long off = (long) rnd.nextInt((int) regionBlocks) * BLOCK;
        int pattern = 1 + (int) (writes.get() % 250);
        write(hv, domain, pattern, off, BLOCK);
        synchronized (lastPattern) {
          lastPattern.put(off, pattern);
        }
        writes.incrementAndGet();
        if (pauseMillis > 0) {
          Thread.sleep(pauseMillis);
        }
      }
    } catch (Throwable t) {
      error = t;
    }
  }

  long writes() {
    return writes.get();
  }

  Map<Long, Integer> recorded() {
    synchronized (lastPattern) {
      return new LinkedHashMap<>(lastPattern);
    }
  }

  @Override
  public void close() throws Exception {
    stop = true;
    thread.join(30_000);
    if (error != null) {
      throw new AssertionError("writer failed", error);
    }
  }
}
