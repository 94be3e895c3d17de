package io.ferry.copy;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Where the copy engine learns what to copy in each pass: the full sync first, then the regions
 * written since the previous pass, until the last pass, which runs while the source cannot change
 * (writers held by a write tap) or from a final snapshot (RBD, where other clients write).
 *
 * <p>Implementations: a write tap on a device the agent itself serves ({@code TapChangeFeed}), RBD
 * snapshot diffs ({@code RbdSnapshotChangeFeed}). The engine knows neither by name.
 */
public interface ChangeFeed extends Closeable {

  /** What one pass reads and which regions of it to copy. */
  record Pass(BlockDevice readFrom, List<Extent> extents) {}

  /**
   * Starts recording changes and returns the full-sync pass: the device to read and its allocated
   * extents. Called once per run; on a resumed run {@code state} is what {@link #state()} returned
   * before the crash, or empty.
   */
  Pass start(Map<String, String> state) throws IOException;

  /**
   * The regions changed since the previous pass. When {@code last} is true the source is frozen
   * first (writers held, or a final snapshot taken) and stays frozen until {@link #close()}, so
   * the engine can verify against {@link Pass#readFrom()}.
   */
  Pass next(boolean last) throws IOException;

  /** Bytes known to be changed and not yet handed out by {@link #next}; 0 if unknown. */
  long pendingBytes();

  /** Opaque state to persist in the job's checkpoint (e.g. snapshot names); never secrets. */
  Map<String, String> state();

  /** Releases the freeze and anything the feed created (temporary snapshots). Idempotent. */
  @Override
  void close() throws IOException;
}
