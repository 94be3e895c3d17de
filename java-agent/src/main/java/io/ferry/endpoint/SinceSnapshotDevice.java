package io.ferry.endpoint;

import io.ferry.device.ForwardingDevice;
import io.ferry.device.Extent;
import io.ferry.device.rbd.RbdDevice;
import java.util.List;

/**
 * An RBD destination that already holds the source's snapshots (copy_snapshots): it reports as
 * "data" only what its head changed since its newest snapshot. The copy engine's first pass is
 * then the source's diff from that same snapshot, and the engine deallocates destination data
 * only where it reports data outside that pass: nothing the carried snapshot put there, which
 * equals the source outside the diff.
 */
final class SinceSnapshotDevice extends ForwardingDevice {

  private final RbdDevice rbd;
  private final String base;

  SinceSnapshotDevice(RbdDevice rbd, String base) {
    super(rbd);
    this.rbd = rbd;
    this.base = base;
  }

  String base() {
    return base;
  }

  @Override
  public List<Extent> extents(long offset, long length) {
    if (length <= 0) {
      return List.of();
    }
    return rbd.image().diff(base, offset, length);
  }
}
