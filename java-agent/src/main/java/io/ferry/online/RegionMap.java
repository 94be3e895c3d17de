package io.ferry.online;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which fixed-size regions of an online conversion's destination are converted ("done") and
 * which of those an NBD client wrote. The rules that keep client data safe:
 *
 * <ul>
 *   <li>A region is touched only under its lock ({@link #lock}); the check "is it done?" and the
 *       write that follows happen under the same lock, so a background copy and a client write
 *       of one region never interleave.
 *   <li>Done never goes back to not done; written implies done.
 *   <li>The background pass never writes a done region; a client write of a region that is not
 *       done converts the region from the source first unless the write covers all of it.
 * </ul>
 *
 * Locks are striped (a region's lock is shared with every {@link #STRIPES}th region): memory stays
 * constant whatever the disk size.
 */
public final class RegionMap {

  static final int STRIPES = 256;

  private final long size;
  private final long regionSize;
  private final int count;
  private final BitSet done;
  private final BitSet written;
  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
  private final AtomicLong version = new AtomicLong();
  private volatile boolean complete;

  /** A map where nothing is done yet. */
  public RegionMap(long size, long regionSize) {
    this(size, regionSize, new BitSet(), new BitSet(), false);
  }

  /** A map restored from its file. */
  RegionMap(long size, long regionSize, BitSet done, BitSet written, boolean complete) {
    if (regionSize <= 0 || Long.bitCount(regionSize) != 1 || regionSize < 4096) {
      throw new IllegalArgumentException("region size must be a power of two >= 4096, got "
          + regionSize);
    }
    long n = (size + regionSize - 1) / regionSize;
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(size + " bytes need more than 2^31 regions of "
          + regionSize);
    }
    this.size = size;
    this.regionSize = regionSize;
    this.count = (int) n;
    this.done = (BitSet) done.clone();
    this.written = (BitSet) written.clone();
    this.done.or(this.written);
    this.complete = complete;
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  public long size() {
    return size;
  }

  public long regionSize() {
    return regionSize;
  }

  public int count() {
    return count;
  }

  /** The region holding byte {@code offset}. */
  public int regionOf(long offset) {
    return (int) (offset / regionSize);
  }

  public long start(int region) {
    return region * regionSize;
  }

  /** End of the region, clipped to the size. */
  public long end(int region) {
    return Math.min(size, (region + 1) * regionSize);
  }

  /** What {@link #forEachRegion} calls for each region a range touches. */
  @FunctionalInterface
  public interface RegionStep {
    /** {@code [from, to)} is the part of the range inside {@code region}. */
    void accept(int region, long from, long to) throws java.io.IOException;
  }

  /** Walks {@code [offset, offset + length)} region by region, in order (none when empty). */
  public void forEachRegion(long offset, long length, RegionStep step)
      throws java.io.IOException {
    long end = offset + length;
    for (long pos = offset; pos < end; ) {
      int r = regionOf(pos);
      long to = Math.min(end, end(r));
      step.accept(r, pos, to);
      pos = to;
    }
  }

  /**
   * The part of {@code whole} (a buffer for bytes starting at {@code offset}) that holds
   * {@code [from, to)}: shares its content, leaves its position alone.
   */
  static java.nio.ByteBuffer part(java.nio.ByteBuffer whole, long offset, long from, long to) {
    java.nio.ByteBuffer p = whole.duplicate();
    p.limit(whole.position() + (int) (to - offset)).position(whole.position()
        + (int) (from - offset));
    return p;
  }

  /** The lock of {@code region}'s stripe; hold it across check-then-write. */
  public ReentrantLock lock(int region) {
    return locks[region % STRIPES];
  }

  public boolean isComplete() {
    return complete;
  }

  public synchronized boolean isDone(int region) {
    return complete || done.get(region);
  }

  public synchronized boolean isWritten(int region) {
    return written.get(region);
  }

  /** Marks {@code region} converted. Call with its lock held, after the data was written. */
  public synchronized void markDone(int region) {
    if (!done.get(region)) {
      done.set(region);
      version.incrementAndGet();
    }
  }

  /** Marks {@code region} written by a client (and so done). Call with its lock held. */
  public synchronized void markWritten(int region) {
    if (!written.get(region) || !done.get(region)) {
      done.set(region);
      written.set(region);
      version.incrementAndGet();
    }
  }

  /**
   * The background pass has converted everything: every region is done from now on. Takes each
   * stripe's lock in turn, so a conversion on demand that is under way finishes first.
   */
  public void completeAll() {
    for (ReentrantLock l : locks) {
      l.lock();
    }
    try {
      synchronized (this) {
        done.set(0, count);
        complete = true;
        version.incrementAndGet();
      }
    } finally {
      for (ReentrantLock l : locks) {
        l.unlock();
      }
    }
  }

  /** Regions done, for progress. */
  public synchronized int doneCount() {
    return complete ? count : done.cardinality();
  }

  public synchronized int writtenCount() {
    return written.cardinality();
  }

  /** Changes made so far (persisting compares versions). */
  public long version() {
    return version.get();
  }

  /** A consistent copy for persisting. */
  public synchronized Snapshot snapshot() {
    return new Snapshot(version.get(), size, regionSize, (BitSet) done.clone(),
        (BitSet) written.clone(), complete);
  }

  /** The map's state at one moment. */
  public record Snapshot(long version, long size, long regionSize, BitSet done, BitSet written,
      boolean complete) {}
}
