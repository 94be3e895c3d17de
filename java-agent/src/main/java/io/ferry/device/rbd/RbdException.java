package io.ferry.device.rbd;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.util.Map;

/**
 * A failed librados/librbd call: which call, on what, and the errno. The one place where native
 * return codes become {@link Reason}s.
 */
public final class RbdException extends FerryException {

  private static final Map<Integer, String> NAMES =
      Map.ofEntries(
          Map.entry(1, "EPERM (operation not permitted)"),
          Map.entry(2, "ENOENT (no such image, pool or snapshot)"),
          Map.entry(5, "EIO (I/O error)"),
          Map.entry(13, "EACCES (permission denied)"),
          Map.entry(16, "EBUSY (in use: watchers, protected snapshot or lock)"),
          Map.entry(17, "EEXIST (already exists)"),
          Map.entry(22, "EINVAL (invalid argument)"),
          Map.entry(28, "ENOSPC (no space left)"),
          Map.entry(30, "EROFS (read-only)"),
          Map.entry(34, "ERANGE (out of range)"),
          Map.entry(39, "ENOTEMPTY (has snapshots or children)"),
          Map.entry(95, "EOPNOTSUPP (not supported)"),
          Map.entry(107, "ENOTCONN (not connected)"),
          Map.entry(108, "ESHUTDOWN (client blocklisted or shut down)"),
          Map.entry(110, "ETIMEDOUT (timed out: cluster unreachable?)"),
          Map.entry(111, "ECONNREFUSED (connection refused)"),
          Map.entry(122, "EDQUOT (quota exceeded)"));

  private final String call;
  private final int errno;

  RbdException(String call, String target, int errno) {
    super(reasonFor(errno), message(call, target, errno));
    this.call = call;
    this.errno = errno;
  }

  /** The librados/librbd function that failed, e.g. {@code rbd_open}. */
  public String call() {
    return call;
  }

  /** The positive errno the call returned (negated). */
  public int errno() {
    return errno;
  }

  /** Returns {@code rc} if it is not negative, else throws for {@code call} on {@code target}. */
  static long check(String call, String target, long rc) {
    if (rc < 0) {
      throw new RbdException(call, target, (int) -rc);
    }
    return rc;
  }

  static int check(String call, String target, int rc) {
    return (int) check(call, target, (long) rc);
  }

  static Reason reasonFor(int errno) {
    return switch (errno) {
      case 2 -> Reason.NOT_FOUND;
      case 17 -> Reason.ALREADY_EXISTS;
      case 1, 13 -> Reason.PERMISSION_DENIED;
      case 107, 108, 110, 111 -> Reason.UNAVAILABLE;
      case 28, 122 -> Reason.RESOURCE_EXHAUSTED;
      case 22, 34 -> Reason.INVALID_ARGUMENT;
      case 16, 30, 39 -> Reason.FAILED_PRECONDITION;
      default -> Reason.INTERNAL;
    };
  }

  private static String message(String call, String target, int errno) {
    String name = NAMES.getOrDefault(errno, "errno " + errno);
    return call + "(" + target + ") failed: " + name + hint(errno, target);
  }

  private static String hint(int errno, String target) {
    return switch (errno) {
      case 110, 107, 111 -> "; check the cluster's mon_host and that its monitors are up";
      case 1, 13 -> "; check the client id and keyring in the agent's cluster config";
      case 122 -> "; pool " + pool(target) + " is over its quota: raise it (ceph osd pool"
          + " set-quota " + pool(target) + " max_bytes|max_objects N) or free space in the pool, then"
          + " retry";
      case 28 -> "; pool " + pool(target) + " (or its cluster) is full: free space in it or add"
          + " capacity to the cluster, then retry";
      default -> "";
    };
  }

  /** The pool of a "cluster/pool[/namespace]/image[@snap]" target, for hints. */
  static String pool(String target) {
    String[] parts = target.split("/", 3);
    return parts.length >= 2 && !parts[1].isEmpty() ? parts[1] : "of " + target;
  }
}
