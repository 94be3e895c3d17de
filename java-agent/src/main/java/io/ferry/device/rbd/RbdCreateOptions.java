package io.ferry.device.rbd;

import com.sun.jna.Pointer;
import io.ferry.error.FerryException;

/**
 * Layout of an image to create. Zero / null fields leave librbd's (cluster config) default.
 *
 * @param features feature bits ({@link RbdFeature#mask}); null: the cluster's default
 * @param objectSize bytes per RADOS object, a power of two from 4 KiB to 32 MiB; 0: default
 * @param stripeUnit bytes; 0: the object size
 * @param stripeCount objects per stripe; 0: 1
 * @param dataPool pool for data objects (e.g. erasure-coded); null or empty: the image's pool
 */
public record RbdCreateOptions(
    Long features, long objectSize, long stripeUnit, long stripeCount, String dataPool) {

  public static final RbdCreateOptions DEFAULT = new RbdCreateOptions(null, 0, 0, 0, null);

  public RbdCreateOptions {
    if (objectSize != 0
        && (Long.bitCount(objectSize) != 1 || objectSize < 4096 || objectSize > (32L << 20))) {
      throw FerryException.invalid(
          "layout.object_size", objectSize + " is not a power of two in 4 KiB..32 MiB");
    }
    if (stripeUnit < 0 || stripeCount < 0) {
      throw FerryException.invalid("layout.stripe", "stripe unit and count must not be negative");
    }
    if ((stripeUnit == 0) != (stripeCount == 0)) {
      throw FerryException.invalid("layout.stripe", "give both stripe_unit and stripe_count, or neither");
    }
  }

  /** The options of an existing image, so that a copy gets the same layout. */
  public static RbdCreateOptions like(RbdImage image) {
    return new RbdCreateOptions(
        image.features() & settableMask(), image.objectSize(), image.stripeUnit(), image.stripeCount(), null);
  }

  private static long settableMask() {
    long mask = 0;
    for (RbdFeature f : RbdFeature.values()) {
      if (f.settable()) {
        mask |= f.bit();
      }
    }
    return mask;
  }

  int order() {
    return objectSize == 0 ? 0 : Long.numberOfTrailingZeros(objectSize);
  }

  void apply(LibRbd lib, Pointer opts, String target) {
    if (features != null) {
      RbdException.check("rbd_image_options_set_uint64", target + " features",
          lib.rbd_image_options_set_uint64(opts, LibRbd.RBD_IMAGE_OPTION_FEATURES, features));
    }
    if (objectSize != 0) {
      RbdException.check("rbd_image_options_set_uint64", target + " order",
          lib.rbd_image_options_set_uint64(opts, LibRbd.RBD_IMAGE_OPTION_ORDER, order()));
    }
    if (stripeUnit != 0) {
      RbdException.check("rbd_image_options_set_uint64", target + " stripe_unit",
          lib.rbd_image_options_set_uint64(opts, LibRbd.RBD_IMAGE_OPTION_STRIPE_UNIT, stripeUnit));
      RbdException.check("rbd_image_options_set_uint64", target + " stripe_count",
          lib.rbd_image_options_set_uint64(opts, LibRbd.RBD_IMAGE_OPTION_STRIPE_COUNT, stripeCount));
    }
    if (dataPool != null && !dataPool.isEmpty()) {
      RbdException.check("rbd_image_options_set_string", target + " data_pool",
          lib.rbd_image_options_set_string(opts, LibRbd.RBD_IMAGE_OPTION_DATA_POOL, dataPool));
    }
  }
}
