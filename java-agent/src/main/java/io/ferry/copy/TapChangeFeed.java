package io.ferry.copy;

import io.ferry.device.Extent;
import io.ferry.device.WriteListener;
import io.ferry.device.WriteTap;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A change feed over a device the agent itself serves: every write through the {@link WriteTap}
 * marks its range dirty; each pass hands out and forgets what was dirty; the last pass holds the
 * tap's writers first, so nothing can change between the last drain and the end of verification.
 *
 * <p>The dirty set lives in memory only: after a crash the writes acknowledged after the last
 * checkpoint are unknown to the new run, which is why the copy engine verifies every resumed run.
 *
 * <p>{@link #close()} releases the writers. A caller that serves the device must switch its
 * writers to the destination before closing the feed, or writes made after the copy are lost.
 */
public final class TapChangeFeed implements ChangeFeed {

  /** Default tracking granularity: small random writes cost one 64 KiB granule each. */
  public static final long DEFAULT_GRANULARITY = 64 * 1024;

  private final WriteTap tap;
  private final DirtyMap dirty;
  private final WriteListener listener;
  private WriteTap.Hold hold;
  private boolean started;

  public TapChangeFeed(WriteTap tap) {
    this(tap, DEFAULT_GRANULARITY);
  }

  public TapChangeFeed(WriteTap tap, long granularity) {
    this.tap = tap;
    this.dirty = new DirtyMap(granularity);
    this.listener = dirty::add;
  }

  @Override
  public synchronized Pass start(Map<String, String> state) throws IOException {
    if (started) {
      throw new IllegalStateException("change feed for " + tap.describe() + " already started");
    }
    started = true;
    // Listen before looking at the allocation: a write racing with extents() is then either
    // seen by extents() or recorded as dirty, never neither.
    tap.addListener(listener);
    List<Extent> extents = tap.extents(0, tap.size());
    return new Pass(tap, extents);
  }

  @Override
  public synchronized Pass next(boolean last) throws IOException {
    if (!started) {
      throw new IllegalStateException("change feed for " + tap.describe() + " not started");
    }
    if (last && hold == null) {
      hold = tap.hold();
    }
    return new Pass(tap, dirty.drain());
  }

  @Override
  public long pendingBytes() {
    return dirty.bytes();
  }

  /** The regions dirty now and not yet handed out. */
  public List<Extent> pendingExtents() {
    return dirty.snapshot();
  }

  @Override
  public Map<String, String> state() {
    return Map.of();
  }

  @Override
  public synchronized void close() {
    tap.removeListener(listener);
    if (hold != null) {
      hold.close();
      hold = null;
    }
  }
}
