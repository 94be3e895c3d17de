package io.ferry.copy;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

/**
 * Copies the parts of one chunk from a source to the destination through a worker's buffer:
 * every byte first passes the throttle, then is read, then written; with {@code keepSparse}
 * all-zero 4 KiB blocks become {@code writeZeroes(deallocate)} instead of data.
 */
final class ChunkCopier {

  /** The throttle is asked in slices this large so that a cancel is seen quickly at low rates. */
  private static final long THROTTLE_SLICE = 1 << 20;

  private final BlockDevice source;
  private final BlockDevice destination;
  private final Throttle throttle;
  private final boolean keepSparse;
  private final CopyStats stats;
  private final BooleanSupplier stopping;

  ChunkCopier(
      BlockDevice source,
      BlockDevice destination,
      Throttle throttle,
      boolean keepSparse,
      CopyStats stats,
      BooleanSupplier stopping) {
    this.source = source;
    this.destination = destination;
    this.throttle = throttle;
    this.keepSparse = keepSparse;
    this.stats = stats;
    this.stopping = stopping;
  }

  /** Copies every part of {@code task}; returns the bytes that were written as zeros/holes. */
  long copy(Chunks.Task task, ByteBuffer buffer) throws IOException, InterruptedException {
    return copy(task, buffer, null);
  }

  /**
   * Copies every part of {@code task}, adding what it read to {@code digest} (when not null);
   * returns the bytes that were written as zeros/holes.
   */
  long copy(Chunks.Task task, ByteBuffer buffer, SourceDigests.Digest digest)
      throws IOException, InterruptedException {
    long zeroed = 0;
    for (Extent part : task.parts()) {
      if (digest != null) {
        digest.part(part.offset(), part.length());
      }
      zeroed += copyRange(part.offset(), part.length(), buffer, digest);
    }
    return zeroed;
  }

  private long copyRange(long offset, long length, ByteBuffer buffer, SourceDigests.Digest digest)
      throws IOException, InterruptedException {
    long zeroed = 0;
    long pos = offset;
    long end = offset + length;
    while (pos < end) {
      int n = (int) Math.min(buffer.capacity(), end - pos);
      pass(n);
      buffer.clear().limit(n);
      source.read(pos, buffer);
      buffer.flip();
      if (digest != null) {
        digest.update(buffer);
      }
      zeroed += writeOut(pos, buffer);
      stats.copied(n);
      pos += n;
    }
    return zeroed;
  }

  /** Waits for bandwidth, slice by slice, giving up when the run stops. */
  void pass(long bytes) throws InterruptedException {
    long left = bytes;
    while (left > 0) {
      if (stopping.getAsBoolean()) {
        throw new Workers.Stopped();
      }
      long n = Math.min(left, THROTTLE_SLICE);
      throttle.acquire(n);
      left -= n;
    }
    if (stopping.getAsBoolean()) {
      throw new Workers.Stopped();
    }
  }

  /** Writes {@code buf[0, limit)} at {@code offset}; returns bytes turned into zeroing calls. */
  private long writeOut(long offset, ByteBuffer buf) throws IOException {
    int len = buf.limit();
    if (!keepSparse) {
      destination.write(offset, buf);
      return 0;
    }
    long zeroed = 0;
    int runStart = 0;
    boolean runZero = false;
    int pos = 0;
    while (pos < len) {
      int blockEnd = (int) Math.min(len, pos + Zeroes.BLOCK - ((offset + pos) % Zeroes.BLOCK));
      boolean zero = Zeroes.isZero(buf, pos, blockEnd);
      if (pos == 0) {
        runZero = zero;
      } else if (zero != runZero) {
        zeroed += writeRun(offset, buf, runStart, pos, runZero);
        runStart = pos;
        runZero = zero;
      }
      pos = blockEnd;
    }
    zeroed += writeRun(offset, buf, runStart, len, runZero);
    return zeroed;
  }

  private long writeRun(long offset, ByteBuffer buf, int from, int to, boolean zero)
      throws IOException {
    if (zero) {
      destination.writeZeroes(offset + from, to - from, true);
      return to - from;
    }
    destination.write(offset + from, buf.duplicate().limit(to).position(from));
    return 0;
  }
}
