package io.ferry.device;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A decorator that refuses every write: how a copy source is opened so it cannot be changed. */
public final class ReadOnlyDevice extends ForwardingDevice {

  public ReadOnlyDevice(BlockDevice delegate) {
    super(delegate);
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    throw refused();
  }

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) throws IOException {
    throw refused();
  }

  @Override
  public boolean isReadOnly() {
    return true;
  }

  private IOException refused() {
    return new IOException(describe() + " is read-only: writes are refused");
  }
}
