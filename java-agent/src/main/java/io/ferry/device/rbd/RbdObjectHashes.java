package io.ferry.device.rbd;

import com.sun.jna.Memory;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * XXH64 of an image's bytes computed by the OSD that stores them ({@code rados_checksum}), so
 * that verifying a destination does not read it back over the wire.
 *
 * <p>Only for the plain layout, where byte {@code x} of the image is byte {@code x % object_size}
 * of object {@code <block_name_prefix>.%016x} ({@code x / object_size}) in the image's own pool:
 * no fancy striping, no separate data pool, the image's head (not a snapshot). A range must lie in
 * one object. The OSD hashes what the object holds, zeros for holes inside it; an object that
 * does not exist (a hole, or data a clone takes from its parent) or that ends before the range
 * gives no answer, and the caller reads the range instead. Checked against this cluster's Ceph
 * 16.2.15 by RbdBindingIT: the OSD's value equals {@link io.ferry.copy} XXH64 of the bytes read.
 */
final class RbdObjectHashes {

  private static final int ENOENT = -2;
  private static final int EINVAL = -22;

  private final RbdPool pool;
  private final String prefix;
  private final long objectSize;
  private final String target;

  private RbdObjectHashes(RbdPool pool, String prefix, long objectSize, String target) {
    this.pool = pool;
    this.prefix = prefix;
    this.objectSize = objectSize;
    this.target = target;
  }

  /** The hasher for {@code image}, or null when its layout is not the plain one. */
  static RbdObjectHashes of(RbdImage image) {
    long objectSize = image.objectSize();
    boolean plain = image.snapshot() == null
        && image.stripeCount() <= 1
        && (image.stripeUnit() == 0 || image.stripeUnit() == objectSize)
        && image.dataPoolId() == image.pool().id();
    return plain ? new RbdObjectHashes(image.pool(), image.blockNamePrefix(), objectSize, image.describe()) : null;
  }

  /** XXH64 (seed 0) of {@code [offset, offset + length)}, or empty when the OSD cannot tell. */
  OptionalLong xxh64(long offset, long length) {
    long object = offset / objectSize;
    if (length <= 0 || (offset + length - 1) / objectSize != object) {
      return OptionalLong.empty();
    }
    String oid = prefix + "." + String.format(Locale.ROOT, "%016x", object);
    Memory seed = new Memory(8);
    seed.setLong(0, 0);
    Memory out = new Memory(4 + 8);
    int rc = RbdNative.rados().rados_checksum(pool.ioctx(), oid,
        LibRados.LIBRADOS_CHECKSUM_TYPE_XXHASH64, seed, 8, length, offset % objectSize, length, out, out.size());
    if (rc == ENOENT || rc == EINVAL) {
      return OptionalLong.empty();
    }
    RbdException.check("rados_checksum", target + " object " + oid, rc);
    java.nio.ByteBuffer b = out.getByteBuffer(0, out.size()).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(0) != 1) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(b.getLong(4));
  }
}
