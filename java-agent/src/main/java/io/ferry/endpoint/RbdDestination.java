package io.ferry.endpoint;

import io.ferry.device.BlockDevice;
import io.ferry.device.rbd.RbdDevice;
import io.ferry.device.rbd.RbdPool;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.io.IOException;

/**
 * An RBD destination. One the job creates is written under a temporary name in the same pool
 * ({@code NAME.ferry-part}) and renamed to NAME at commit, so Cinder, Nova or an operator never
 * see a half-copied image under the final name; abandoning removes the part image and nothing
 * else. A pre-existing destination is written in place: commit flushes, abandon leaves it.
 */
final class RbdDestination implements Destination {

  static final String PART_SUFFIX = ".ferry-part";

  private final RbdPool pool;
  private final String image;
  private final RbdDevice device;
  private final boolean created;
  private volatile SinceSnapshotDevice sinceBase;

  /** {@code device} is open on the part image (created) or on {@code image} (existing). */
  RbdDestination(RbdPool pool, String image, RbdDevice device, boolean created) {
    this.pool = pool;
    this.image = image;
    this.device = device;
    this.created = created;
  }

  static String partName(String image) {
    return image + PART_SUFFIX;
  }

  @Override
  public BlockDevice device() {
    SinceSnapshotDevice s = sinceBase;
    return s != null ? s : device;
  }

  /** The open RBD device (the part image while uncommitted). */
  RbdDevice rbd() {
    return device;
  }

  RbdPool pool() {
    return pool;
  }

  /**
   * From now on {@link #device()} reports as data only what changed since snapshot {@code base}
   * (the newest carried snapshot; null: all data), see {@link SinceSnapshotDevice}.
   */
  void extentsSince(String base) {
    sinceBase = base == null ? null : new SinceSnapshotDevice(device, base);
  }

  @Override
  public boolean created() {
    return created;
  }

  @Override
  public void commit() throws IOException {
    device.flush();
    if (!created) {
      return;
    }
    String part = partName(image);
    boolean partThere = pool.exists(part);
    if (!partThere && pool.exists(image)) {
      return; // committed before (a resumed COMMITTING job runs this again)
    }
    if (!partThere) {
      throw new FerryException(Reason.NOT_FOUND, "destination part image " + pool.name() + "/" + part
          + " is gone before commit; start the copy again");
    }
    if (pool.exists(image)) {
      throw new FerryException(Reason.ALREADY_EXISTS, "destination " + pool.name() + "/" + image
          + " appeared while the job ran; move it away and resume, or cancel the job");
    }
    pool.rename(part, image);
  }

  @Override
  public void abandon() throws IOException {
    close();
    if (created) {
      String part = partName(image);
      try (RbdPool p = pool.cluster().pool(pool.name(), pool.namespace())) {
        if (p.exists(part)) {
          p.removeWithSnapshots(part); // carried snapshots are the job's too
        }
      }
    }
  }

  @Override
  public void close() {
    device.close(); // also closes the pool handle it owns
  }
}
