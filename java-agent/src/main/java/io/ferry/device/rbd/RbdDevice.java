package io.ferry.device.rbd;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An RBD image (or a snapshot of one) as a {@link BlockDevice}. Allocated extents come from
 * {@code rbd_diff_iterate2} from no snapshot; zeroing deallocates through {@code rbd_write_zeroes}.
 * Several requests may be in flight from different threads.
 *
 * <p>Closing the device closes the image and then whatever else it was given to own (the pool and
 * cluster handles it was opened through), in that order.
 */
public final class RbdDevice implements BlockDevice {

  private final RbdImage image;
  private final AutoCloseable[] owned;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Optional<RbdObjectHashes> hashes; // looked up once, when first asked

  public RbdDevice(RbdImage image, AutoCloseable... alsoClose) {
    this.image = image;
    this.owned = alsoClose.clone();
  }

  public RbdImage image() {
    return image;
  }

  @Override
  public long size() {
    return image.size();
  }

  @Override
  public void read(long offset, ByteBuffer dst) {
    checkRange(offset, dst.remaining());
    image.read(offset, dst);
  }

  @Override
  public void write(long offset, ByteBuffer src) {
    checkRange(offset, src.remaining());
    image.write(offset, src);
  }

  @Override
  public void flush() {
    if (!image.isReadOnly()) {
      image.flush();
    }
  }

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) {
    checkRange(offset, length);
    if (length > 0) {
      image.writeZeroes(offset, length, !deallocate);
    }
  }

  @Override
  public List<Extent> extents(long offset, long length) {
    if (length <= 0) {
      return List.of();
    }
    return image.diff(null, offset, length);
  }

  @Override
  public boolean canExtents() {
    return true;
  }

  @Override
  public boolean canDeallocate() {
    return true;
  }

  @Override
  public boolean canStoredXxHash64() {
    return hashes().isPresent();
  }

  /** The OSD's XXH64 of a range inside one object, for a head image of the plain layout. */
  @Override
  public OptionalLong storedXxHash64(long offset, long length) {
    checkRange(offset, length);
    if (closed.get()) {
      throw new FerryException(Reason.FAILED_PRECONDITION, describe() + " is closed");
    }
    return hashes().map(h -> h.xxh64(offset, length)).orElse(OptionalLong.empty());
  }

  private Optional<RbdObjectHashes> hashes() {
    Optional<RbdObjectHashes> h = hashes;
    if (h == null) {
      h = Optional.ofNullable(RbdObjectHashes.of(image));
      hashes = h;
    }
    return h;
  }

  @Override
  public boolean isReadOnly() {
    return image.isReadOnly();
  }

  @Override
  public String describe() {
    return "rbd:" + image.describe();
  }

  private void checkRange(long offset, long length) {
    long size = image.size();
    if (offset < 0 || length < 0 || offset > size - length) {
      throw new FerryException(Reason.INVALID_ARGUMENT,
          describe() + ": range [" + offset + "+" + length + ") is outside the image (" + size + " bytes)");
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RuntimeException first = null;
    try {
      image.close();
    } catch (RuntimeException e) {
      first = e;
    }
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) {
          first = e instanceof RuntimeException r ? r : new FerryException(Reason.INTERNAL, e.toString(), e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
