package io.ferry.online;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The destination of an online conversion as the copy engine's background pass sees it.
 *
 * <p>Writes: a region that is done (converted on demand, or written by a client) is skipped —
 * under the region's lock, so a client write cannot slip in between the check and the copy. A
 * write covering a whole region that is not done is written and marks it done; a write covering
 * part of one converts the whole region from the source instead (the source never changes, so
 * that is the same data) and marks it done, and the rest of the engine's writes to it are
 * skipped.
 *
 * <p>Reads (the engine's verification): a region a client wrote reads as the source, so it
 * compares equal; every other region reads as the destination and is compared with the source
 * for real.
 */
final class EngineView implements BlockDevice {

  private final Converter core;
  private final RegionMap map;
  private final BlockDevice dst;

  EngineView(Converter core) {
    this.core = core;
    this.map = core.map();
    this.dst = core.destination();
  }

  @Override
  public long size() {
    return map.size();
  }

  @Override
  public void read(long offset, ByteBuffer out) throws IOException {
    long end = offset + out.remaining();
    long pos = offset;
    while (pos < end) {
      int r = map.regionOf(pos);
      long to = Math.min(end, map.end(r));
      ByteBuffer part = out.duplicate();
      part.limit(part.position() + (int) (to - pos));
      if (map.isWritten(r)) {
        core.source().read(pos, part);
      } else {
        dst.read(pos, part);
      }
      out.position(out.position() + (int) (to - pos));
      pos = to;
    }
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    long end = offset + src.remaining();
    long pos = offset;
    while (pos < end) {
      int r = map.regionOf(pos);
      long to = Math.min(end, map.end(r));
      ByteBuffer part = src.duplicate();
      part.position(src.position() + (int) (pos - offset))
          .limit(src.position() + (int) (to - offset));
      long at = pos;
      background(r, at, to, () -> dst.write(at, part));
      pos = to;
    }
    src.position(src.limit());
  }

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) throws IOException {
    long end = offset + length;
    long pos = offset;
    while (pos < end) {
      int r = map.regionOf(pos);
      long from = pos;
      long to = Math.min(end, map.end(r));
      background(r, from, to, () -> dst.writeZeroes(from, to - from, deallocate));
      pos = to;
    }
  }

  @FunctionalInterface
  private interface Io {
    void run() throws IOException;
  }

  private void background(int region, long from, long to, Io io) throws IOException {
    if (map.isDone(region)) {
      return; // fast path; checked again under the lock
    }
    ReentrantLock lock = map.lock(region);
    lock.lock();
    try {
      if (map.isDone(region)) {
        return;
      }
      if (from == map.start(region) && to == map.end(region)) {
        io.run();
        map.markDone(region);
      } else {
        core.convertIfNeeded(region);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Flushes and saves the map: the engine checkpoints only after this. */
  @Override
  public void flush() throws IOException {
    core.flushAndSave();
  }

  @Override
  public List<Extent> extents(long offset, long length) throws IOException {
    return dst.extents(offset, length);
  }

  @Override
  public boolean canExtents() {
    return dst.canExtents();
  }

  @Override
  public boolean canDeallocate() {
    return dst.canDeallocate();
  }

  @Override
  public int preferredRequestSize() {
    return dst.preferredRequestSize();
  }

  @Override
  public boolean isReadOnly() {
    return dst.isReadOnly();
  }

  @Override
  public String describe() {
    return dst.describe() + " (online)";
  }

  /** The destination belongs to the job and the export, not to the engine. */
  @Override
  public void close() {}
}
