package io.ferry.device.rbd;

import com.sun.jna.Native;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;

/**
 * Loads librados and librbd on first use, never in a static initializer of a public class, so that
 * an agent without Ceph's libraries starts and only RBD endpoints fail, with a message that says
 * what to install.
 */
final class RbdNative {

  private RbdNative() {}

  private static final class Holder {
    static final Object RADOS = load("rados", "librados.so.2", LibRados.class, "librados2");
    static final Object RBD = load("rbd", "librbd.so.1", LibRbd.class, "librbd1");
  }

  static LibRados rados() {
    return cast(Holder.RADOS, LibRados.class);
  }

  static LibRbd rbd() {
    rados(); // librbd needs librados: report the first missing one
    return cast(Holder.RBD, LibRbd.class);
  }

  private static <T> T cast(Object loaded, Class<T> type) {
    if (loaded instanceof FerryException e) {
      throw new FerryException(e.reason(), e.getMessage(), e.getCause());
    }
    return type.cast(loaded);
  }

  /** Returns the library, or the FerryException to throw on every use. */
  static Object load(
      String name, String soname, Class<? extends com.sun.jna.Library> type, String debianPackage) {
    String override = System.getProperty("ferry." + name + ".library");
    String[] candidates = override != null ? new String[] {override} : new String[] {name, soname};
    UnsatisfiedLinkError last = null;
    for (String candidate : candidates) {
      try {
        return Native.load(candidate, type);
      } catch (UnsatisfiedLinkError e) {
        last = e;
      }
    }
    return new FerryException(
        Reason.UNAVAILABLE,
        "lib" + name + " not found: install " + debianPackage + " (Debian package) on this host",
        last);
  }
}
