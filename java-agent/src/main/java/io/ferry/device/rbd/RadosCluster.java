package io.ferry.device.rbd;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connected RADOS client handle for one cluster ({@code rados_t}). Heavy (it owns threads and
 * sockets): keep one per cluster and open {@link RbdPool}s from it. Thread-safe; close once all
 * pools opened from it are closed.
 */
public final class RadosCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RadosCluster.class);

  /** Lower bound of rados_osd_op_timeout: a busy lab OSD may take seconds per request. */
  static final long OSD_OP_TIMEOUT_MIN_SECONDS = 60;

  private final RbdClusterSpec spec;
  private final Pointer handle;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RadosCluster(RbdClusterSpec spec, Pointer handle) {
    this.spec = spec;
    this.handle = handle;
  }

  /**
   * Connects within the spec's timeout. UNAVAILABLE if the monitors cannot be reached in time,
   * PERMISSION_DENIED for refused credentials (the message names the cluster, the client and the
   * keyring's path, never the key), NOT_FOUND if ceph.conf is missing, FAILED_PRECONDITION if
   * the keyring is.
   */
  public static RadosCluster connect(RbdClusterSpec spec) {
    if (!Files.isReadable(spec.confPath())) {
      throw new FerryException(
          Reason.NOT_FOUND,
          "cluster " + spec.id() + ": ceph.conf " + spec.confPath() + " not readable");
    }
    if (spec.keyringPath() != null && !Files.isReadable(spec.keyringPath())) {
      throw new FerryException(Reason.FAILED_PRECONDITION, "cluster " + spec.id() + ": keyring "
          + spec.keyringPath() + " of " + spec.clientName() + " is missing or not readable by the"
          + " agent; fix clusters." + spec.id() + ".keyring in the agent's config");
    }
    LibRados lib = RbdNative.rados();
    PointerByReference ref = new PointerByReference();
    String target = "cluster " + spec.id();
    RbdException.check("rados_create2", target, lib.rados_create2(ref, "ceph", spec.clientName(), 0));
    Pointer handle = ref.getValue();
    try {
      configure(lib, handle, spec);
      long start = System.nanoTime();
      int rc = lib.rados_connect(handle);
      if (rc == -1 || rc == -13) { // EPERM, EACCES: cephx refused the client or its key
        throw new FerryException(Reason.PERMISSION_DENIED, "cluster " + spec.id() + " refused "
            + spec.clientName() + " (keyring " + keyringName(spec) + "): rados_connect failed with "
            + (rc == -1 ? "EPERM" : "EACCES") + "; check clusters." + spec.id()
            + ".client_id and that the keyring holds that client's current key");
      }
      RbdException.check("rados_connect", target, rc);
      LOG.debug("connected to {} as {} in {} ms", target, spec.clientName(), (System.nanoTime() - start) / 1_000_000);
      return new RadosCluster(spec, handle);
    } catch (RuntimeException e) {
      lib.rados_shutdown(handle);
      throw e;
    }
  }

  private static String keyringName(RbdClusterSpec spec) {
    return spec.keyringPath() != null ? spec.keyringPath().toString() : "as ceph.conf names it";
  }

  private static void configure(LibRados lib, Pointer handle, RbdClusterSpec spec) {
    String target = "cluster " + spec.id();
    RbdException.check(
        "rados_conf_read_file", target, lib.rados_conf_read_file(handle, spec.confPath().toString()));
    if (spec.keyringPath() != null) {
      set(lib, handle, target, "keyring", spec.keyringPath().toString());
    }
    String seconds = Long.toString(Math.max(1, spec.connectTimeout().toSeconds()));
    // Without these an unreachable cluster blocks rados_connect (and mon commands) forever.
    set(lib, handle, target, "client_mount_timeout", seconds);
    set(lib, handle, target, "rados_mon_op_timeout", seconds);
    // ... and an OSD that stops answering blocks every I/O forever: fail it after a generous
    // bound (as Cinder does with rados_connect_timeout), so a job fails instead of hanging.
    set(lib, handle, target, "rados_osd_op_timeout",
        Long.toString(Math.max(OSD_OP_TIMEOUT_MIN_SECONDS, 4 * spec.connectTimeout().toSeconds())));
    // The agent does large aligned I/O and flushes itself: librbd's cache only adds copies.
    set(lib, handle, target, "rbd_cache", "false");
  }

  private static void set(LibRados lib, Pointer handle, String target, String key, String value) {
    RbdException.check("rados_conf_set", target + " " + key, lib.rados_conf_set(handle, key, value));
  }

  public RbdClusterSpec spec() {
    return spec;
  }

  public String id() {
    return spec.id();
  }

  /** Opens an I/O context on {@code pool} (NOT_FOUND if it does not exist). */
  public RbdPool pool(String pool, String namespace) {
    return RbdPool.open(this, pool, namespace);
  }

  /** True if the cluster has a pool named {@code name}. */
  public boolean hasPool(String name) {
    long id = RbdNative.rados().rados_pool_lookup(handle(), name);
    if (id == -2) { // ENOENT
      return false;
    }
    RbdException.check("rados_pool_lookup", "cluster " + spec.id() + " pool " + name, id);
    return true;
  }

  /** The name of pool {@code id}; NOT_FOUND if there is none. */
  public String poolName(long id) {
    com.sun.jna.Memory buf = new com.sun.jna.Memory(256);
    int rc = RbdNative.rados().rados_pool_reverse_lookup(handle(), id, buf, buf.size());
    RbdException.check("rados_pool_reverse_lookup", "cluster " + spec.id() + " pool id " + id, rc);
    return buf.getString(0);
  }

  Pointer handle() {
    if (closed.get()) {
      throw new FerryException(Reason.FAILED_PRECONDITION, "cluster " + spec.id() + " handle is closed");
    }
    return handle;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      RbdNative.rados().rados_shutdown(handle);
    }
  }
}
