package io.ferry.format;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/** A read-only byte store in memory, for fuzzing. */
final class MemStore implements BlockDevice {

  private final byte[] data;

  MemStore(byte[] data) {
    this.data = data;
  }

  @Override
  public long size() {
    return data.length;
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    if (offset < 0 || offset > data.length - dst.remaining()) {
      throw new IOException("read outside the store: " + offset + "+" + dst.remaining());
    }
    dst.put(data, (int) offset, dst.remaining());
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    throw new IOException("read-only");
  }

  @Override
  public void flush() {}

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) throws IOException {
    throw new IOException("read-only");
  }

  @Override
  public List<Extent> extents(long offset, long length) {
    return List.of(new Extent(offset, length));
  }

  @Override
  public boolean canExtents() {
    return false;
  }

  @Override
  public boolean canDeallocate() {
    return false;
  }

  @Override
  public boolean isReadOnly() {
    return true;
  }

  @Override
  public String describe() {
    return "memory";
  }

  @Override
  public void close() {}
}
