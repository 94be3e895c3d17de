package io.ferry.endpoint;

import io.ferry.device.BlockDevice;
import io.ferry.device.WriteTap;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's open source devices, one per endpoint (keyed by its canonical identity), shared
 * by every user and reference-counted. Each is wrapped once in a {@link WriteTap}: a job's change
 * feed listens to that tap, so writes any other agent client makes through the same endpoint
 * (the NBD export, a test's writer) reach the job.
 */
public final class DeviceRegistry {

  private static final Logger log = LoggerFactory.getLogger(DeviceRegistry.class);

  /** Opens the underlying device when the first user arrives. */
  @FunctionalInterface
  public interface Opener {
    BlockDevice open() throws IOException;
  }

  private final Map<String, Slot> slots = new HashMap<>();

  /** A handle on the device for {@code key}, opening it with {@code opener} if nobody has it. */
  public synchronized SharedDevice acquire(String key, boolean readOnly, Opener opener)
      throws IOException {
    Slot slot = slots.get(key);
    if (slot == null) {
      slot = new Slot(key, new WriteTap(opener.open()));
      slots.put(key, slot);
    }
    slot.refs++;
    return new SharedDevice(slot, readOnly);
  }

  /** Number of handles open on {@code key} (tests, diagnostics). */
  public synchronized int users(String key) {
    Slot s = slots.get(key);
    return s == null ? 0 : s.refs;
  }

  private synchronized void release(Slot slot) {
    if (--slot.refs > 0) {
      return;
    }
    slots.remove(slot.key);
    try {
      slot.tap.close();
    } catch (IOException e) {
      log.warn("closing {} failed: {}", slot.tap.describe(), e.getMessage());
    }
  }

  /** One shared device. */
  final class Slot {
    private final String key;
    private final WriteTap tap;
    private int refs;

    private Slot(String key, WriteTap tap) {
      this.key = key;
      this.tap = tap;
    }

    String key() {
      return key;
    }

    WriteTap tap() {
      return tap;
    }

    void release() {
      DeviceRegistry.this.release(this);
    }
  }
}
