package io.ferry.online;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The destination of an online conversion as NBD clients see it, already complete: a read of a
 * region not converted yet converts it from the source first; a write converts the region first
 * unless it covers all of it, writes, and marks the region written, so the background pass
 * leaves it alone. {@link #flush()} makes the writes and the map durable together. Once the
 * background pass is over, every call goes straight to the destination.
 *
 * <p>{@link #close()} (the export stopping) saves the map; the destination is closed by whoever
 * owns it then: the job while it runs, the export after the job completed.
 */
public final class OnlineDevice implements BlockDevice {

  private final Converter core;
  private final RegionMap map;
  private final BlockDevice dst;
  private final String name;
  private final java.io.Closeable onClose;

  /** @param onClose what closing this device means (the session decides who owns the destination) */
  OnlineDevice(Converter core, String name, java.io.Closeable onClose) {
    this.onClose = onClose;
    this.core = core;
    this.map = core.map();
    this.dst = core.destination();
    this.name = name;
  }

  @Override
  public long size() {
    return map.size();
  }

  @Override
  public void read(long offset, ByteBuffer out) throws IOException {
    if (!map.isComplete()) {
      map.forEachRegion(offset, out.remaining(), (r, from, to) -> {
        if (!map.isDone(r)) {
          core.convertLocked(r);
        }
      });
    }
    dst.read(offset, out);
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    if (map.isComplete()) {
      dst.write(offset, src);
      return;
    }
    map.forEachRegion(offset, src.remaining(), (r, from, to) -> {
      ByteBuffer part = RegionMap.part(src, offset, from, to);
      mutate(r, from, to, () -> dst.write(from, part));
    });
    src.position(src.limit());
  }

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) throws IOException {
    if (map.isComplete()) {
      dst.writeZeroes(offset, length, deallocate);
      return;
    }
    map.forEachRegion(offset, length, (r, from, to) ->
        mutate(r, from, to, () -> dst.writeZeroes(from, to - from, deallocate)));
  }

  @FunctionalInterface
  private interface Io {
    void run() throws IOException;
  }

  /** One region's part of a client write: convert first unless covered, write, mark written. */
  private void mutate(int region, long from, long to, Io io) throws IOException {
    ReentrantLock lock = map.lock(region);
    lock.lock();
    try {
      boolean covers = from == map.start(region) && to == map.end(region);
      if (!covers) {
        core.convertIfNeeded(region);
      }
      io.run();
      map.markWritten(region);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void flush() throws IOException {
    core.flushAndSave();
  }

  /** Done regions report the destination's allocation, the others the source's. */
  @Override
  public List<Extent> extents(long offset, long length) throws IOException {
    if (map.isComplete() || length == 0) {
      return dst.extents(offset, length);
    }
    List<Extent> out = new ArrayList<>();
    long end = offset + length;
    long pos = offset;
    while (pos < end) {
      int r = map.regionOf(pos);
      boolean done = map.isDone(r);
      long runEnd = Math.min(end, map.end(r));
      while (runEnd < end && map.isDone(map.regionOf(runEnd)) == done) {
        runEnd = Math.min(end, map.end(map.regionOf(runEnd)));
      }
      BlockDevice from = done ? dst : core.source();
      out.addAll(from.extents(pos, runEnd - pos));
      pos = runEnd;
    }
    return out;
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
  public boolean isReadOnly() {
    return dst.isReadOnly();
  }

  @Override
  public String describe() {
    return name;
  }

  @Override
  public void close() throws IOException {
    onClose.close();
  }
}
