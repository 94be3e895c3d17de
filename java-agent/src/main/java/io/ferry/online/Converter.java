package io.ferry.online;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The core both views of an online conversion share: the source (never written), the
 * destination, the {@link RegionMap} and its file. It converts single regions (on demand, or
 * when a write covers part of a region that is not done yet) and saves the map.
 */
final class Converter {

  private final BlockDevice source;
  private final BlockDevice destination;
  private final RegionMap map;
  private final RegionMapFile file;
  private final Object saveLock = new Object();
  private long savedVersion = -1;
  final AtomicLong regionsOnDemand = new AtomicLong();

  Converter(BlockDevice source, BlockDevice destination, RegionMap map, RegionMapFile file) {
    this.source = source;
    this.destination = destination;
    this.map = map;
    this.file = file;
  }

  BlockDevice source() {
    return source;
  }

  BlockDevice destination() {
    return destination;
  }

  RegionMap map() {
    return map;
  }

  /** Converts {@code region} from the source unless it is done. Call with its lock held. */
  void convertIfNeeded(int region) throws IOException {
    if (map.isDone(region)) {
      return;
    }
    fill(region);
    map.markDone(region);
    regionsOnDemand.incrementAndGet();
  }

  /** Converts {@code region} now, taking its lock (a client read). */
  void convertLocked(int region) throws IOException {
    ReentrantLock lock = map.lock(region);
    lock.lock();
    try {
      convertIfNeeded(region);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Copies the region's data from the source; where the source has holes, the destination is
   * made to read as zeros (only where it reports data: a fresh destination needs nothing).
   */
  private void fill(int region) throws IOException {
    long start = map.start(region);
    long end = map.end(region);
    long pos = start;
    for (Extent e : source.extents(start, end - start)) {
      zero(pos, e.offset());
      copy(e.offset(), e.end());
      pos = e.end();
    }
    zero(pos, end);
  }

  private void copy(long from, long to) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) (to - from));
    source.read(from, buf);
    buf.flip();
    destination.write(from, buf);
  }

  private void zero(long from, long to) throws IOException {
    if (to <= from) {
      return;
    }
    for (Extent stale : destination.extents(from, to - from)) {
      destination.writeZeroes(stale.offset(), stale.length(), true);
    }
  }

  /**
   * Flushes the destination, then saves the map as it was before the flush: every mark saved
   * belongs to a write the flush made durable. No-op when nothing changed since the last save.
   */
  void flushAndSave() throws IOException {
    synchronized (saveLock) {
      RegionMap.Snapshot s = map.snapshot();
      destination.flush();
      if (s.version() != savedVersion) {
        file.save(s);
        savedVersion = s.version();
      }
    }
  }
}
