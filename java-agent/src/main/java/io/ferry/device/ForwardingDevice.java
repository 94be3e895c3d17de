package io.ferry.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;

/** A decorator that forwards every call; subclasses override what they change. */
public abstract class ForwardingDevice implements BlockDevice {

  protected final BlockDevice delegate;

  protected ForwardingDevice(BlockDevice delegate) {
    this.delegate = delegate;
  }

  public BlockDevice delegate() {
    return delegate;
  }

  @Override
  public long size() throws IOException {
    return delegate.size();
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    delegate.read(offset, dst);
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    delegate.write(offset, src);
  }

  @Override
  public void flush() throws IOException {
    delegate.flush();
  }

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) throws IOException {
    delegate.writeZeroes(offset, length, deallocate);
  }

  @Override
  public List<Extent> extents(long offset, long length) throws IOException {
    return delegate.extents(offset, length);
  }

  @Override
  public boolean canExtents() {
    return delegate.canExtents();
  }

  @Override
  public boolean canDeallocate() {
    return delegate.canDeallocate();
  }

  @Override
  public boolean canStoredXxHash64() {
    return delegate.canStoredXxHash64();
  }

  @Override
  public OptionalLong storedXxHash64(long offset, long length) throws IOException {
    return delegate.storedXxHash64(offset, length);
  }

  @Override
  public int preferredRequestSize() {
    return delegate.preferredRequestSize();
  }

  @Override
  public boolean isReadOnly() {
    return delegate.isReadOnly();
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
