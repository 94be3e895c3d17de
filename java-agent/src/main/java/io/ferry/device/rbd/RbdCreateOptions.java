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

  /**
   * The options of an existing image, so that a copy gets the same layout: its settable
   * features, object size, stripe unit and count, and its data pool if it has a separate one.
   */
  public static RbdCreateOptions like(RbdImage image) {
    RbdPool pool = image.pool();
    long dataPoolId = image.dataPoolId();
    String dataPool = dataPoolId == pool.id() ? null : pool.cluster().poolName(dataPoolId);
    return new RbdCreateOptions(image.features() & settableMask(), image.objectSize(),
        image.stripeUnit(), image.stripeCount(), dataPool);
  }

  /**
   * These options with every field left unset (null / 0) taken from {@code source}'s: the
   * caller's explicit values win. Striping is inherited only when the source uses fancy
   * striping (not "one object-size unit, count 1") that fits the chosen object size.
   */
  public RbdCreateOptions withDefaults(RbdCreateOptions source) {
    long obj = objectSize != 0 ? objectSize : source.objectSize;
    long unit = stripeUnit;
    long count = stripeCount;
    boolean sourceFancy = source.stripeUnit != 0
        && (source.stripeUnit != source.objectSize || source.stripeCount > 1);
    if (unit == 0 && sourceFancy && obj != 0 && obj % source.stripeUnit == 0) {
      unit = source.stripeUnit;
      count = source.stripeCount;
    }
    String pool = dataPool != null && !dataPool.isEmpty() ? dataPool : source.dataPool;
    Long f = features;
    if (f == null && source.features != null) {
      // The source's "striping" bit follows its striping, which may not be inherited.
      boolean fancy = unit != 0 && (unit != obj || count > 1);
      long striping = RbdFeature.STRIPING.bit();
      f = fancy ? source.features | striping : source.features & ~striping;
    }
    return new RbdCreateOptions(f, obj, unit, count, pool);
  }

  /** These options without a data pool (one the destination's cluster does not have). */
  public RbdCreateOptions withoutDataPool() {
    return new RbdCreateOptions(features, objectSize, stripeUnit, stripeCount, null);
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
