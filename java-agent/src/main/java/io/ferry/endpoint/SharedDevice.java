package io.ferry.endpoint;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import io.ferry.device.WriteTap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One user's handle on a device of the {@link DeviceRegistry}: reads and writes go through the
 * shared {@link WriteTap} (so a job's change feed sees every write), and {@link #close()} only
 * releases this handle; the device closes when its last handle does.
 */
public final class SharedDevice implements BlockDevice {

  private final DeviceRegistry.Slot slot;
  private final boolean readOnly;
  private final AtomicBoolean closed = new AtomicBoolean();

  SharedDevice(DeviceRegistry.Slot slot, boolean readOnly) {
    this.slot = slot;
    this.readOnly = readOnly;
  }

  /** The tap every user of this device writes through; change feeds listen to it. */
  public WriteTap tap() {
    return slot.tap();
  }

  /** The registry key: the endpoint's canonical identity. */
  public String key() {
    return slot.key();
  }

  @Override
  public long size() throws IOException {
    return slot.tap().size();
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    slot.tap().read(offset, dst);
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    refuseIfReadOnly();
    slot.tap().write(offset, src);
  }

  @Override
  public void flush() throws IOException {
    slot.tap().flush();
  }

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) throws IOException {
    refuseIfReadOnly();
    slot.tap().writeZeroes(offset, length, deallocate);
  }

  @Override
  public List<Extent> extents(long offset, long length) throws IOException {
    return slot.tap().extents(offset, length);
  }

  @Override
  public boolean canExtents() {
    return slot.tap().canExtents();
  }

  @Override
  public boolean canDeallocate() {
    return slot.tap().canDeallocate();
  }

  @Override
  public boolean canStoredXxHash64() {
    return slot.tap().canStoredXxHash64();
  }

  @Override
  public OptionalLong storedXxHash64(long offset, long length) throws IOException {
    return slot.tap().storedXxHash64(offset, length);
  }

  @Override
  public int preferredRequestSize() {
    return slot.tap().preferredRequestSize();
  }

  @Override
  public boolean isReadOnly() {
    return readOnly || slot.tap().isReadOnly();
  }

  @Override
  public String describe() {
    return slot.tap().describe();
  }

  @Override
  public void close() throws IOException {
    if (closed.compareAndSet(false, true)) {
      slot.release();
    }
  }

  private void refuseIfReadOnly() throws IOException {
    if (isReadOnly()) {
      throw new IOException(describe() + " is open read-only");
    }
    if (closed.get()) {
      throw new IOException(describe() + ": handle is closed");
    }
  }
}
