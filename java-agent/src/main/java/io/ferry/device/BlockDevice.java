package io.ferry.device;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;

/**
 * A block endpoint: a fixed-size array of bytes that can be read, written and asked which
 * ranges hold data.
 *
 * <p>Implementations are raw files, RBD images, format codecs (qcow2, vmdk, vhd, vhdx) layered on
 * a byte store, and decorators around any of them (bandwidth cap, write tap, faults). The copy
 * engine knows none of them by name: what a device can do is asked through the {@code can*}
 * queries, never guessed from its type.
 *
 * <p>Thread safety: {@link #read}, {@link #write}, {@link #extents} and the zeroing calls may be
 * called concurrently from several threads for disjoint ranges.
 *
 * <p>Offsets and lengths are {@code long}; buffers should be direct where the device is native.
 */
public interface BlockDevice extends Closeable {

  /** Virtual size in bytes. */
  long size() throws IOException;

  /**
   * Reads exactly {@code dst.remaining()} bytes at {@code offset} into {@code dst}, advancing its
   * position. Holes read as zeros. The range must lie within {@link #size()}.
   */
  void read(long offset, ByteBuffer dst) throws IOException;

  /** Writes all of {@code src.remaining()} bytes at {@code offset}, advancing its position. */
  void write(long offset, ByteBuffer src) throws IOException;

  /** Makes every completed write durable. */
  void flush() throws IOException;

  /**
   * Makes {@code [offset, offset+length)} read as zeros. When {@code deallocate} is true and the
   * device {@link #canDeallocate() can}, the range becomes a hole; otherwise zeros are written.
   */
  void writeZeroes(long offset, long length, boolean deallocate) throws IOException;

  /**
   * The ranges within {@code [offset, offset+length)} that may hold non-zero data, sorted, not
   * overlapping, clipped to the range. Everything else reads as zeros. A device that cannot tell
   * ({@link #canExtents()} false) returns the whole range as one extent.
   */
  List<Extent> extents(long offset, long length) throws IOException;

  /** True when {@link #extents} reports real allocation rather than the whole range. */
  boolean canExtents();

  /** True when {@link #writeZeroes} with {@code deallocate} really punches holes. */
  boolean canDeallocate();

  /**
   * The read/write request size this device works best with, in bytes, or 0 for no preference.
   * The copy engine sizes its requests from both sides' answers (a device without a preference
   * counts as wanting whole chunks). Local files prefer small requests whose data is still in the
   * CPU cache when it is copied out again; network stores prefer large ones.
   */
  default int preferredRequestSize() {
    return 0;
  }

  /**
   * True when {@link #storedXxHash64} can answer for some ranges: the store hashes its data where
   * it lies (a Ceph OSD), so verification need not read it back.
   */
  default boolean canStoredXxHash64() {
    return false;
  }

  /**
   * XXH64 (seed 0) of the bytes in {@code [offset, offset + length)}, computed by the store
   * without sending them here; empty when the store cannot answer for this range (then read it).
   */
  default OptionalLong storedXxHash64(long offset, long length) throws IOException {
    return OptionalLong.empty();
  }

  /** True when writes are refused (snapshots, sources opened read-only). */
  boolean isReadOnly();

  /** A short human-readable name for logs and errors; never contains secrets. */
  String describe();

  /** Releases the device. Idempotent. */
  @Override
  void close() throws IOException;
}
