package io.ferry.device.rbd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.ferry.error.FerryException;
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
   *
   * <p>If librbd refuses the removal (on a pool over its quota librbd 16 can fail to remove an
   * image, see {@link #keepRemovableWhenFull}), the image's data is freed (resized to 0: deleting
   * objects is allowed on a full pool) and the removal tried once more; if that fails too, the
   * exception says that an empty image is left and how to remove it.
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
    try {
      remove(name);
    } catch (RbdException first) {
      if (first.errno() == 16) { // EBUSY: someone has it open; freeing its data would hurt them
        throw first;
      }
      String freed = freeData(name);
      try {
        remove(name);
      } catch (RbdException again) {
        String before = first.getMessage().equals(again.getMessage()) ? ""
            : " (first attempt: " + first.getMessage() + ")";
        throw new FerryException(again.reason(), again.getMessage() + before + "; " + freed
            + "; if pool " + this.pool + " is full or over its quota (librbd moves an image to"
            + " the pool's trash before removing it), free space in it or raise its quota, then"
            + " remove it with `rbd rm " + spec(name) + "` (a retry of the same copy removes it"
            + " too)", again);
      }
    }
  }

  /** Resizes the image to 0 (deletes its data objects); says what it did, for messages. */
  private String freeData(String name) {
    try (RbdImage img = open(name, null)) {
      img.resize(0);
      return describe(name, null) + " is left, holding no data (resized to 0)";
    } catch (FerryException e) {
      return describe(name, null) + " is left (freeing its data failed too: " + e.getMessage() + ")";
    }
  }

  /** "pool[/namespace]/image", as the rbd CLI takes it. */
  private String spec(String image) {
    return pool + "/" + (namespace.isEmpty() ? "" : namespace + "/") + image;
  }

  /** librbd's trash directory object of a pool and namespace ({@code RBD_TRASH}). */
  static final String TRASH_OBJECT = "rbd_trash";

  /**
   * Keeps images Ferry creates here removable once the pool is full. librbd 16's {@code
   * rbd_remove} first moves the image to the pool's trash; if the pool has no trash object yet,
   * that creates one, which a pool over its quota refuses (EDQUOT, then reported as ENOENT), and
   * the image cannot be removed until space is freed. Creating the empty trash object while the
   * pool still takes writes, as librbd does at its first removal, avoids that. Best effort:
   * returns false (and changes nothing) if the pool refused, e.g. because it is full already.
   */
  public boolean keepRemovableWhenFull() {
    LibRados lib = RbdNative.rados();
    Pointer op = lib.rados_create_write_op();
    if (op == null) {
      return false;
    }
    try {
      lib.rados_write_op_create(op, LibRados.LIBRADOS_CREATE_IDEMPOTENT, null);
      return lib.rados_write_op_operate(op, ioctx(), TRASH_OBJECT, null, 0) == 0;
    } finally {
      lib.rados_release_write_op(op);
    }
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
