package io.ferry.device.rbd;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The part of librbd's C API ({@code rbd/librbd.h}, Ceph 16) Ferry uses, mapped 1:1. {@code
 * size_t}, {@code ssize_t} and {@code uint64_t} are Java {@code long} (LP64 platforms only).
 * Return codes are negative errnos; {@link RbdException#check} turns them into exceptions.
 */
interface LibRbd extends Library {

  int RBD_IMAGE_OPTION_FEATURES = 1;
  int RBD_IMAGE_OPTION_ORDER = 2;
  int RBD_IMAGE_OPTION_STRIPE_UNIT = 3;
  int RBD_IMAGE_OPTION_STRIPE_COUNT = 4;
  int RBD_IMAGE_OPTION_DATA_POOL = 10;

  int RBD_WRITE_ZEROES_FLAG_THICK_PROVISION = 1;

  /** {@code sizeof(rbd_image_info_t)}: 3 x u64, int, char[24], i64, char[96]. */
  int IMAGE_INFO_SIZE = 160;

  /** {@code sizeof(rbd_snap_info_t)}: u64 id, u64 size, const char *name. */
  int SNAP_INFO_SIZE = 24;

  /** {@code int (*)(uint64_t offset, size_t len, int exists, void *arg)}. */
  interface DiffCallback extends Callback {
    int invoke(long offset, long length, int exists, Pointer arg);
  }

  /** {@code void (*rbd_callback_t)(rbd_completion_t cb, void *arg)}. */
  interface CompletionCallback extends Callback {
    void invoke(Pointer completion, Pointer arg);
  }

  void rbd_image_options_create(PointerByReference opts);

  void rbd_image_options_destroy(Pointer opts);

  int rbd_image_options_set_string(Pointer opts, int optname, String value);

  int rbd_image_options_set_uint64(Pointer opts, int optname, long value);

  int rbd_create4(Pointer ioctx, String name, long size, Pointer opts);

  int rbd_open(Pointer ioctx, String name, PointerByReference image, String snapName);

  int rbd_open_read_only(Pointer ioctx, String name, PointerByReference image, String snapName);

  int rbd_close(Pointer image);

  int rbd_remove(Pointer ioctx, String name);

  int rbd_rename(Pointer ioctx, String srcName, String destName);

  int rbd_list(Pointer ioctx, Pointer names, LongByReference size);

  int rbd_resize(Pointer image, long size);

  int rbd_stat(Pointer image, Pointer info, long infoSize);

  int rbd_get_size(Pointer image, LongByReference size);

  int rbd_get_features(Pointer image, LongByReference features);

  int rbd_get_stripe_unit(Pointer image, LongByReference stripeUnit);

  int rbd_get_stripe_count(Pointer image, LongByReference stripeCount);

  long rbd_get_data_pool_id(Pointer image);

  int rbd_get_block_name_prefix(Pointer image, Pointer prefix, long prefixLen);

  int rbd_snap_create(Pointer image, String snapName);

  int rbd_snap_remove(Pointer image, String snapName);

  int rbd_snap_protect(Pointer image, String snapName);

  int rbd_snap_unprotect(Pointer image, String snapName);

  int rbd_snap_is_protected(Pointer image, String snapName, IntByReference isProtected);

  int rbd_snap_list(Pointer image, Pointer snaps, IntByReference maxSnaps);

  void rbd_snap_list_end(Pointer snaps);

  long rbd_read2(Pointer image, long offset, long length, Pointer buf, int opFlags);

  long rbd_write2(Pointer image, long offset, long length, Pointer buf, int opFlags);

  int rbd_discard(Pointer image, long offset, long length);

  int rbd_write_zeroes(Pointer image, long offset, long length, int zeroFlags, int opFlags);

  int rbd_flush(Pointer image);

  int rbd_diff_iterate2(
      Pointer image,
      String fromSnapName,
      long offset,
      long length,
      byte includeParent,
      byte wholeObject,
      DiffCallback callback,
      Pointer arg);

  int rbd_aio_create_completion(Pointer arg, CompletionCallback callback, PointerByReference c);

  long rbd_aio_get_return_value(Pointer completion);

  void rbd_aio_release(Pointer completion);

  int rbd_aio_read2(
      Pointer image, long offset, long length, Pointer buf, Pointer completion, int opFlags);

  int rbd_aio_write2(
      Pointer image, long offset, long length, Pointer buf, Pointer completion, int opFlags);

  int rbd_aio_discard(Pointer image, long offset, long length, Pointer completion);
}
