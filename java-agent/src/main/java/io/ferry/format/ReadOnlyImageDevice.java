package io.ferry.format;

import java.nio.ByteBuffer;

/**
 * A codec that only reads (vhdx, sparse vmdk): always read-only, every write refused by
 * {@link #checkWritable()} with the format's reason, nothing to flush or deallocate.
 */
public abstract class ReadOnlyImageDevice extends ImageDevice {

  protected ReadOnlyImageDevice(Store store, ImageFormat format, long virtualSize) {
    super(store, format, virtualSize, true);
  }

  @Override
  public final void write(long offset, ByteBuffer src) {
    checkWritable();
  }

  @Override
  public final void writeZeroes(long offset, long length, boolean deallocate) {
    checkWritable();
  }

  @Override
  public final boolean canDeallocate() {
    return false;
  }

  @Override
  public final void flush() {}
}
