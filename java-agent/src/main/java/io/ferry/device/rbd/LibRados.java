package io.ferry.device.rbd;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * The part of librados's C API ({@code rados/librados.h}) Ferry uses, mapped 1:1. Return codes are
 * negative errnos; {@link RbdException#check} turns them into exceptions. Package-private: only
 * the wrappers in this package call it.
 */
interface LibRados extends Library {

  int rados_create2(PointerByReference cluster, String clusterName, String name, long flags);

  int rados_conf_read_file(Pointer cluster, String path);

  int rados_conf_set(Pointer cluster, String option, String value);

  int rados_connect(Pointer cluster);

  void rados_shutdown(Pointer cluster);

  long rados_pool_lookup(Pointer cluster, String name);

  int rados_pool_reverse_lookup(Pointer cluster, long id, Pointer buf, long maxlen);

  long rados_ioctx_get_id(Pointer ioctx);

  int rados_ioctx_create(Pointer cluster, String poolName, PointerByReference ioctx);

  void rados_ioctx_destroy(Pointer ioctx);

  void rados_ioctx_set_namespace(Pointer ioctx, String namespace);

  void rados_set_pool_full_try(Pointer ioctx);

  /** {@code exclusive} for {@link #rados_write_op_create}: succeed if the object exists. */
  int LIBRADOS_CREATE_IDEMPOTENT = 0;

  Pointer rados_create_write_op();

  void rados_release_write_op(Pointer writeOp);

  void rados_write_op_create(Pointer writeOp, int exclusive, String category);

  int rados_write_op_operate(Pointer writeOp, Pointer ioctx, String oid, Pointer mtime, int flags);

  /** {@code rados_checksum_type_t}: 64-bit xxHash, seeded by an 8-byte little-endian init value. */
  int LIBRADOS_CHECKSUM_TYPE_XXHASH64 = 1;

  /**
   * Checksums {@code len} bytes at {@code off} of object {@code oid} on the OSD, one checksum per
   * {@code chunkSize} bytes; {@code checksum} receives a little-endian u32 count, then the values.
   */
  int rados_checksum(Pointer ioctx, String oid, int type, Pointer initValue, long initValueLen,
      long len, long off, long chunkSize, Pointer checksum, long checksumLen);
}
