package io.ferry.device.rbd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An I/O context on one pool and namespace ({@code rados_ioctx_t}): creates, lists, opens, renames
 * and removes images. Close after the images opened from it.
 */
public final class RbdPool implements AutoCloseable {

  private final RadosCluster cluster;
  private final String pool;
  private final String namespace;
  private final Pointer ioctx;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RbdPool(RadosCluster cluster, String pool, String namespace, Pointer ioctx) {
    this.cluster = cluster;
    this.pool = pool;
    this.namespace = namespace;
    this.ioctx = ioctx;
  }

  static RbdPool open(RadosCluster cluster, String pool, String namespace) {
    String ns = namespace == null ? "" : namespace;
    PointerByReference ref = new PointerByReference();
    String target = cluster.id() + "/" + pool;
    RbdException.check(
        "rados_ioctx_create", target, RbdNative.rados().rados_ioctx_create(cluster.handle(), pool, ref));
    Pointer ioctx = ref.getValue();
    // A pool over its quota (or a full cluster) pauses writes forever by default: a copy into it
    // would hang in PREPARING with no error. With "full try" they fail with EDQUOT/ENOSPC, which
    // ends the job with a message naming the pool (librbd's data path inherits the flag).
    RbdNative.rados().rados_set_pool_full_try(ioctx);
    if (!ns.isEmpty()) {
      RbdNative.rados().rados_ioctx_set_namespace(ioctx, ns);
    }
    return new RbdPool(cluster, pool, ns, ioctx);
  }

  public RadosCluster cluster() {
    return cluster;
  }

  public String name() {
    return pool;
  }

  public String namespace() {
    return namespace;
  }

  /** "cluster/pool[/namespace]/image[@snap]" for messages. */
  String describe(String image, String snapshot) {
    StringBuilder b = new StringBuilder(cluster.id()).append('/').append(pool).append('/');
    if (!namespace.isEmpty()) {
      b.append(namespace).append('/');
    }
    b.append(image);
    if (snapshot != null) {
      b.append('@').append(snapshot);
    }
    return b.toString();
  }

  /** Creates {@code name} of {@code size} bytes with {@code layout}; ALREADY_EXISTS if present. */
  public void create(String name, long size, RbdCreateOptions layout) {
    LibRbd lib = RbdNative.rbd();
    PointerByReference ref = new PointerByReference();
    lib.rbd_image_options_create(ref);
    Pointer opts = ref.getValue();
    try {
      layout.apply(lib, opts, describe(name, null));
      RbdException.check("rbd_create4", describe(name, null), lib.rbd_create4(ioctx(), name, size, opts));
    } finally {
      lib.rbd_image_options_destroy(opts);
    }
  }

  /** Opens the image (or its snapshot, then read-only) for reading and writing. */
  public RbdImage open(String name, String snapshot) {
    return RbdImage.open(this, name, snapshot, false);
  }

  /** Opens the image (or its snapshot) read-only: takes no lock, never writes. */
  public RbdImage openReadOnly(String name, String snapshot) {
    return RbdImage.open(this, name, snapshot, true);
  }

  /** True if the image exists (snapshots are not looked at). */
  public boolean exists(String name) {
    return list().contains(name);
  }

  /** Names of the images in this pool and namespace. */
  public List<String> list() {
    LibRbd lib = RbdNative.rbd();
    long size = 1024;
    while (true) {
      Memory buf = new Memory(size);
      LongByReference sizeRef = new LongByReference(size);
      int rc = lib.rbd_list(ioctx(), buf, sizeRef);
      if (rc == -34) { // ERANGE: sizeRef holds the size needed
        size = Math.max(sizeRef.getValue(), size * 2);
        continue;
      }
      RbdException.check("rbd_list", describe("", null), rc);
      return splitNames(buf, rc);
    }
  }

  private static List<String> splitNames(Memory buf, int length) {
    List<String> names = new ArrayList<>();
    byte[] bytes = buf.getByteArray(0, length);
    int start = 0;
    for (int i = 0; i < length; i++) {
      if (bytes[i] == 0) {
        if (i > start) {
          names.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
        }
        start = i + 1;
      }
    }
    return names;
  }

  /** Removes the image (FAILED_PRECONDITION if it has snapshots or watchers). */
  public void remove(String name) {
    RbdException.check("rbd_remove", describe(name, null), RbdNative.rbd().rbd_remove(ioctx(), name));
  }

  /** The pool's id on its cluster. */
  public long id() {
    return RbdNative.rados().rados_ioctx_get_id(ioctx());
  }

  /**
   * Removes the image together with all of its snapshots (unprotecting them first). Only for
   * images Ferry itself made (a destination's part image): never call it on a user's image.
   */
  public void removeWithSnapshots(String name) {
    try (RbdImage img = open(name, null)) {
      for (RbdSnapshot s : img.snapshots()) {
        if (img.isSnapshotProtected(s.name())) {
          img.unprotectSnapshot(s.name());
        }
        img.removeSnapshot(s.name());
      }
    }
    remove(name);
  }

  /** Renames within this pool; ALREADY_EXISTS if {@code to} exists. */
  public void rename(String from, String to) {
    RbdException.check(
        "rbd_rename", describe(from, null) + " -> " + to, RbdNative.rbd().rbd_rename(ioctx(), from, to));
  }

  Pointer ioctx() {
    if (closed.get()) {
      throw new IllegalStateException("pool " + pool + " is closed");
    }
    return ioctx;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      RbdNative.rados().rados_ioctx_destroy(ioctx);
    }
  }
}
