package io.ferry.device.rbd;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.ferry.device.Extent;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An open RBD image or snapshot ({@code rbd_image_t}). I/O may run from several threads at once;
 * {@link #close()} waits for calls in flight and is idempotent. Direct buffers go to librbd
 * without a copy; heap buffers are copied through a direct one.
 */
public final class RbdImage implements AutoCloseable {

  /** librbd's discard and write-zeroes return an int length: keep each call below 2 GiB. */
  private static final long MAX_ZERO_CALL = 1L << 30;

  private final RbdPool pool;
  private final String name;
  private final String snapshot;
  private final boolean readOnly;
  private final Pointer handle;
  private final String target;
  private final ReentrantReadWriteLock closing = new ReentrantReadWriteLock();
  private boolean closed;

  private RbdImage(RbdPool pool, String name, String snapshot, boolean readOnly, Pointer handle) {
    this.pool = pool;
    this.name = name;
    this.snapshot = snapshot;
    this.readOnly = readOnly || snapshot != null;
    this.handle = handle;
    this.target = pool.describe(name, snapshot);
  }

  static RbdImage open(RbdPool pool, String name, String snapshot, boolean readOnly) {
    LibRbd lib = RbdNative.rbd();
    PointerByReference ref = new PointerByReference();
    String target = pool.describe(name, snapshot);
    int rc = readOnly
        ? lib.rbd_open_read_only(pool.ioctx(), name, ref, snapshot)
        : lib.rbd_open(pool.ioctx(), name, ref, snapshot);
    RbdException.check(readOnly ? "rbd_open_read_only" : "rbd_open", target, rc);
    return new RbdImage(pool, name, snapshot, readOnly, ref.getValue());
  }

  public RbdPool pool() {
    return pool;
  }

  public String name() {
    return name;
  }

  /** The snapshot this handle reads, or null for the image's head. */
  public String snapshot() {
    return snapshot;
  }

  public boolean isReadOnly() {
    return readOnly;
  }

  /** "cluster/pool/image[@snap]". */
  public String describe() {
    return target;
  }

  public long size() {
    LongByReference size = new LongByReference();
    call(() -> RbdException.check("rbd_get_size", target, lib().rbd_get_size(handle, size)));
    return size.getValue();
  }

  public long features() {
    LongByReference f = new LongByReference();
    call(() -> RbdException.check("rbd_get_features", target, lib().rbd_get_features(handle, f)));
    return f.getValue();
  }

  public boolean hasFeature(RbdFeature feature) {
    return (features() & feature.bit()) != 0;
  }

  public long objectSize() {
    Memory info = new Memory(LibRbd.IMAGE_INFO_SIZE);
    call(() -> RbdException.check(
        "rbd_stat", target, lib().rbd_stat(handle, info, LibRbd.IMAGE_INFO_SIZE)));
    return info.getLong(8);
  }

  public long stripeUnit() {
    LongByReference v = new LongByReference();
    call(() -> RbdException.check("rbd_get_stripe_unit", target, lib().rbd_get_stripe_unit(handle, v)));
    return v.getValue();
  }

  public long stripeCount() {
    LongByReference v = new LongByReference();
    call(() -> RbdException.check("rbd_get_stripe_count", target, lib().rbd_get_stripe_count(handle, v)));
    return v.getValue();
  }

  /** The prefix of the names of this image's data objects ({@code rbd_data.<id>}). */
  public String blockNamePrefix() {
    Memory buf = new Memory(128);
    call(() -> RbdException.check("rbd_get_block_name_prefix", target,
        lib().rbd_get_block_name_prefix(handle, buf, buf.size())));
    return buf.getString(0);
  }

  /** The data pool's id, or the image's own pool id when it has no separate data pool. */
  public long dataPoolId() {
    long[] id = new long[1];
    call(() -> id[0] = RbdException.check("rbd_get_data_pool_id", target, lib().rbd_get_data_pool_id(handle)));
    return id[0];
  }

  public void resize(long newSize) {
    writable("resize");
    call(() -> RbdException.check("rbd_resize", target, lib().rbd_resize(handle, newSize)));
  }

  // ---- snapshots -------------------------------------------------------------------------

  public void createSnapshot(String snap) {
    call(() -> RbdException.check("rbd_snap_create", target + "@" + snap, lib().rbd_snap_create(handle, snap)));
  }

  public void removeSnapshot(String snap) {
    call(() -> RbdException.check("rbd_snap_remove", target + "@" + snap, lib().rbd_snap_remove(handle, snap)));
  }

  public void protectSnapshot(String snap) {
    call(() -> RbdException.check("rbd_snap_protect", target + "@" + snap, lib().rbd_snap_protect(handle, snap)));
  }

  public void unprotectSnapshot(String snap) {
    call(() -> RbdException.check(
        "rbd_snap_unprotect", target + "@" + snap, lib().rbd_snap_unprotect(handle, snap)));
  }

  public boolean isSnapshotProtected(String snap) {
    IntByReference v = new IntByReference();
    call(() -> RbdException.check(
        "rbd_snap_is_protected", target + "@" + snap, lib().rbd_snap_is_protected(handle, snap, v)));
    return v.getValue() != 0;
  }

  /** The image's snapshots, oldest first (by id). */
  public List<RbdSnapshot> snapshots() {
    List<RbdSnapshot> out = new ArrayList<>();
    call(() -> listSnapshots(out));
    out.sort((a, b) -> Long.compare(a.id(), b.id()));
    return out;
  }

  private void listSnapshots(List<RbdSnapshot> out) {
    int max = 16;
    while (true) {
      Memory buf = new Memory((long) (max + 1) * LibRbd.SNAP_INFO_SIZE);
      buf.clear();
      IntByReference maxRef = new IntByReference(max);
      int rc = lib().rbd_snap_list(handle, buf, maxRef);
      if (rc == -34) { // ERANGE: maxRef holds the entries needed
        max = Math.max(maxRef.getValue(), max * 2);
        continue;
      }
      RbdException.check("rbd_snap_list", target, rc);
      try {
        for (int i = 0; i < rc; i++) {
          long base = (long) i * LibRbd.SNAP_INFO_SIZE;
          out.add(new RbdSnapshot(buf.getLong(base), buf.getLong(base + 8), buf.getPointer(base + 16).getString(0)));
        }
      } finally {
        lib().rbd_snap_list_end(buf);
      }
      return;
    }
  }

  // ---- I/O ---------------------------------------------------------------------------------

  /** Reads {@code dst.remaining()} bytes at {@code offset}; holes read as zeros. */
  public void read(long offset, ByteBuffer dst) {
    if (!dst.isDirect()) {
      ByteBuffer tmp = ByteBuffer.allocateDirect(dst.remaining());
      read(offset, tmp);
      dst.put(tmp.flip());
      return;
    }
    call(() -> {
      long pos = offset;
      while (dst.hasRemaining()) {
        long n = RbdException.check("rbd_read2", target,
            lib().rbd_read2(handle, pos, dst.remaining(), address(dst), 0));
        if (n == 0) {
          throw new FerryException(Reason.INVALID_ARGUMENT,
              target + ": read at " + pos + " is beyond the end of the image");
        }
        dst.position(dst.position() + (int) n);
        pos += n;
      }
    });
  }

  /** Writes all of {@code src.remaining()} bytes at {@code offset}. */
  public void write(long offset, ByteBuffer src) {
    writable("write");
    if (!src.isDirect()) {
      ByteBuffer tmp = ByteBuffer.allocateDirect(src.remaining()).put(src).flip();
      write(offset, tmp);
      return;
    }
    call(() -> {
      long pos = offset;
      while (src.hasRemaining()) {
        long n = RbdException.check("rbd_write2", target,
            lib().rbd_write2(handle, pos, src.remaining(), address(src), 0));
        if (n == 0) {
          throw new FerryException(Reason.INVALID_ARGUMENT,
              target + ": write at " + pos + " is beyond the end of the image");
        }
        src.position(src.position() + (int) n);
        pos += n;
      }
    });
  }

  /**
   * Makes the range read as zeros: whole objects are deleted, partial ones zeroed (holes stay
   * holes). With {@code thick}, zeros are written and stay allocated.
   */
  public void writeZeroes(long offset, long length, boolean thick) {
    writable("write zeroes");
    int flags = thick ? LibRbd.RBD_WRITE_ZEROES_FLAG_THICK_PROVISION : 0;
    call(() -> {
      for (long pos = offset, end = offset + length; pos < end; pos += MAX_ZERO_CALL) {
        long n = Math.min(MAX_ZERO_CALL, end - pos);
        RbdException.check("rbd_write_zeroes", target, lib().rbd_write_zeroes(handle, pos, n, flags, 0));
      }
    });
  }

  /** librbd's discard: may leave partial objects unzeroed (discard granularity); prefer writeZeroes. */
  public void discard(long offset, long length) {
    writable("discard");
    call(() -> {
      for (long pos = offset, end = offset + length; pos < end; pos += MAX_ZERO_CALL) {
        long n = Math.min(MAX_ZERO_CALL, end - pos);
        RbdException.check("rbd_discard", target, lib().rbd_discard(handle, pos, n));
      }
    });
  }

  public void flush() {
    call(() -> RbdException.check("rbd_flush", target, lib().rbd_flush(handle)));
  }

  /**
   * The extents of {@code [offset, offset+length)} that changed since {@code fromSnapshot} (null:
   * that hold data), as reported by {@code rbd_diff_iterate2} (byte-exact, parent included; fast
   * with fast-diff), merged and sorted. Regions changed to zero are included.
   */
  public List<Extent> diff(String fromSnapshot, long offset, long length) {
    return diff(fromSnapshot, offset, length, false);
  }

  /**
   * Like {@link #diff(String, long, long)}; with {@code wholeObject} whole objects are reported
   * (an over-estimate, but only the object map is read when the image has fast-diff).
   */
  public List<Extent> diff(String fromSnapshot, long offset, long length, boolean wholeObject) {
    RbdDiff diff = new RbdDiff(offset, offset + length);
    call(() -> diff.run(lib(), handle, target, fromSnapshot, offset, length, wholeObject));
    return diff.extents();
  }

  private static Pointer address(ByteBuffer buf) {
    return Native.getDirectBufferPointer(buf).share(buf.position());
  }

  private void writable(String what) {
    if (readOnly) {
      throw new FerryException(Reason.FAILED_PRECONDITION, target + " is read-only: cannot " + what);
    }
  }

  private static LibRbd lib() {
    return RbdNative.rbd();
  }

  private void call(Runnable op) {
    Lock lock = closing.readLock();
    lock.lock();
    try {
      if (closed) {
        throw new FerryException(Reason.FAILED_PRECONDITION, target + " is closed");
      }
      op.run();
    } finally {
      lock.unlock();
    }
  }

  /** Closes the handle after calls in flight finish. Idempotent. */
  @Override
  public void close() {
    Lock lock = closing.writeLock();
    lock.lock();
    try {
      if (!closed) {
        closed = true;
        RbdException.check("rbd_close", target, lib().rbd_close(handle));
      }
    } finally {
      lock.unlock();
    }
  }
}
