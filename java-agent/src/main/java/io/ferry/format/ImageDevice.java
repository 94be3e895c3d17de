package io.ferry.format;

import io.ferry.device.BlockDevice;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Common frame of a format codec: range checks, read-only refusal and idempotent close. A codec
 * owns its {@link Store} and closes it.
 */
public abstract class ImageDevice implements BlockDevice {

  protected final Store store;
  protected final ImageFormat format;
  protected final long virtualSize;
  protected final boolean readOnly;
  private final AtomicBoolean closed = new AtomicBoolean();

  protected ImageDevice(Store store, ImageFormat format, long virtualSize, boolean readOnly) {
    this.store = store;
    this.format = format;
    this.virtualSize = virtualSize;
    this.readOnly = readOnly;
  }

  public ImageFormat format() {
    return format;
  }

  @Override
  public long size() {
    return virtualSize;
  }

  @Override
  public boolean isReadOnly() {
    return readOnly;
  }

  @Override
  public boolean canExtents() {
    return true;
  }

  @Override
  public String describe() {
    return format.qemuName() + " image on " + store.device().describe();
  }

  protected void checkRange(long offset, long length) {
    if (offset < 0 || length < 0 || offset > virtualSize - length) {
      throw FerryException.invalid(
          "offset",
          "range [" + offset + "+" + length + ") is outside " + describe() + " (size "
              + virtualSize + ")");
    }
  }

  protected void checkWritable() {
    if (readOnly) {
      throw new FerryException(Reason.FAILED_PRECONDITION, describe() + " is open read-only");
    }
  }

  protected void checkOpen() {
    if (closed.get()) {
      throw new FerryException(Reason.FAILED_PRECONDITION, describe() + " is closed");
    }
  }

  /** Writes zeros through {@link #write} in bounded chunks; for codecs without a cheaper way. */
  protected void writeZeroBytes(long offset, long length) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(length, 1 << 20));
    long done = 0;
    while (done < length) {
      int n = (int) Math.min(zeros.capacity(), length - done);
      zeros.clear().limit(n);
      write(offset + done, zeros);
      done += n;
    }
  }

  @Override
  public void close() throws IOException {
    if (closed.compareAndSet(false, true)) {
      try {
        if (!readOnly) {
          finish();
        }
      } finally {
        store.close();
      }
    }
  }

  /** Called once at close on a writable image: write pending metadata. */
  protected void finish() throws IOException {
    flush();
  }
}
