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
    map.forEachRegion(offset, out.remaining(), (r, from, to) -> {
      ByteBuffer part = RegionMap.part(out, offset, from, to);
      if (map.isWritten(r)) {
        core.source().read(from, part);
      } else {
        dst.read(from, part);
      }
    });
    out.position(out.limit());
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    map.forEachRegion(offset, src.remaining(), (r, from, to) -> {
      ByteBuffer part = RegionMap.part(src, offset, from, to);
      background(r, from, to, () -> dst.write(from, part));
    });
    src.position(src.limit());
  }

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) throws IOException {
    map.forEachRegion(offset, length, (r, from, to) ->
        background(r, from, to, () -> dst.writeZeroes(from, to - from, deallocate)));
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
