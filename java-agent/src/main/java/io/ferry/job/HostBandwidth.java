package io.ferry.job;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The host-wide bandwidth budget ({@code budgets.total_bandwidth}) shared by copy jobs and live
 * mirrors. Copies pass their data through one shared rate limiter; QEMU moves a mirror's data,
 * so a mirror holds a share of the budget as its block-job speed.
 *
 * <p>Shares are max-min fair: every running job asks for its own cap (0: as much as it can get);
 * no job gets more than it asks, and what a job leaves is split among the others. A mirror
 * started while copies run thus gets at most what the copies leave: with a 100 MiB/s budget and
 * one uncapped copy it gets 50, with a copy capped at 30 it gets 70. The copies' limiter runs at
 * the budget minus the mirrors' shares. Everything is recomputed when a job starts, ends or
 * changes its cap, or the budget changes; a mirror's new share reaches it through its callback.
 * A budget of 0 means unlimited: mirrors get what they ask.
 */
final class HostBandwidth {

  private final EngineParts.RateLimiter copies;
  private final Map<String, Long> copyAsks = new LinkedHashMap<>();
  private final Map<String, Lease> mirrors = new LinkedHashMap<>();
  private long total;

  /** {@code copies}: the limiter every copy job's data passes. */
  HostBandwidth(long total, EngineParts.RateLimiter copies) {
    this.total = total;
    this.copies = copies;
    copies.setRate(total);
  }

  /** One live mirror's share; {@link #close} gives it back. */
  final class Lease implements AutoCloseable {
    private final String jobId;
    private final LongConsumer apply;
    private long ask;
    private long granted = -1;
    private boolean closed;

    private Lease(String jobId, long ask, LongConsumer apply) {
      this.jobId = jobId;
      this.ask = ask;
      this.apply = apply;
    }

    /** The share now (bytes/s; 0: unlimited). */
    long granted() {
      synchronized (HostBandwidth.this) {
        return granted;
      }
    }

    /** Asks for another cap (0: as much as it can get); returns the share it gets. */
    long want(long bytesPerSec) {
      synchronized (HostBandwidth.this) {
        ask = bytesPerSec;
        allocate(this);
        return granted;
      }
    }

    @Override
    public void close() {
      synchronized (HostBandwidth.this) {
        if (!closed) {
          closed = true;
          mirrors.remove(jobId, this);
          allocate(null);
        }
      }
    }
  }

  /**
   * A mirror of job {@code jobId} asks for {@code ask} bytes/s; its first share is {@link
   * Lease#granted()}, later ones (when others start, end or change) go to {@code apply}.
   */
  synchronized Lease mirror(String jobId, long ask, LongConsumer apply) {
    Lease old = mirrors.get(jobId);
    if (old != null) {
      old.closed = true;
    }
    Lease l = new Lease(jobId, ask, apply);
    mirrors.put(jobId, l);
    allocate(l);
    return l;
  }

  /** A copy job starts moving data under its own cap {@code ask} (0: none). */
  synchronized void copyStarted(String jobId, long ask) {
    copyAsks.put(jobId, ask);
    allocate(null);
  }

  /** A running copy's own cap changed. */
  synchronized void copyAsks(String jobId, long ask) {
    if (copyAsks.containsKey(jobId)) {
      copyAsks.put(jobId, ask);
      allocate(null);
    }
  }

  synchronized void copyEnded(String jobId) {
    if (copyAsks.remove(jobId) != null) {
      allocate(null);
    }
  }

  synchronized void setTotal(long bytesPerSec) {
    total = bytesPerSec;
    allocate(null);
  }

  synchronized long total() {
    return total;
  }

  /** Bytes/s the mirrors hold now (0 when the budget is unlimited). */
  synchronized long mirrorShares() {
    return total == 0 ? 0 : mirrors.values().stream().mapToLong(l -> l.granted).sum();
  }

  /** Recomputes every share; {@code quiet} (a lease being set up) is not called back. */
  private void allocate(Lease quiet) {
    if (total == 0) {
      copies.setRate(0);
      for (Lease l : mirrors.values()) {
        grant(l, l.ask, quiet);
      }
      return;
    }
    record Ask(Lease mirror, long bytes) {}
    List<Ask> asks = new ArrayList<>();
    copyAsks.values().forEach(a -> asks.add(new Ask(null, a)));
    mirrors.values().forEach(l -> asks.add(new Ask(l, l.ask)));
    asks.sort(Comparator.comparingLong(a -> a.bytes() == 0 ? Long.MAX_VALUE : a.bytes()));
    long left = total;
    long mirrorSum = 0;
    int n = asks.size();
    for (Ask a : asks) {
      long share = Math.max(1, left / n--);
      long g = a.bytes() == 0 ? share : Math.min(a.bytes(), share);
      left -= g;
      if (a.mirror() != null) {
        grant(a.mirror(), g, quiet);
        mirrorSum += g;
      }
    }
    // Never 0 (unlimited): a copy admitted later is registered before it moves data anyway.
    copies.setRate(Math.max(1, total - mirrorSum));
  }

  private void grant(Lease l, long g, Lease quiet) {
    if (l.granted == g) {
      return;
    }
    l.granted = g;
    if (l != quiet && !l.closed) {
      l.apply.accept(g);
    }
  }
}
