package io.ferry.device.rbd;

import io.ferry.error.FerryException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** RBD image feature bits ({@code RBD_FEATURE_*}) and the names the {@code rbd} CLI uses. */
public enum RbdFeature {
  LAYERING("layering", 1L),
  STRIPING("striping", 1L << 1),
  EXCLUSIVE_LOCK("exclusive-lock", 1L << 2),
  OBJECT_MAP("object-map", 1L << 3),
  FAST_DIFF("fast-diff", 1L << 4),
  DEEP_FLATTEN("deep-flatten", 1L << 5),
  JOURNALING("journaling", 1L << 6),
  DATA_POOL("data-pool", 1L << 7),
  OPERATIONS("operations", 1L << 8),
  MIGRATING("migrating", 1L << 9),
  NON_PRIMARY("non-primary", 1L << 10),
  DIRTY_CACHE("dirty-cache", 1L << 11);

  private final String cliName;
  private final long bit;

  RbdFeature(String cliName, long bit) {
    this.cliName = cliName;
    this.bit = bit;
  }

  public String cliName() {
    return cliName;
  }

  public long bit() {
    return bit;
  }

  /** Features a new image may be asked for (the others are set by librbd itself). */
  public boolean settable() {
    return bit <= JOURNALING.bit;
  }

  /** The bit mask of {@code names} ("layering", "fast-diff", ...); INVALID_ARGUMENT if unknown. */
  public static long mask(Collection<String> names) {
    long mask = 0;
    for (String name : names) {
      RbdFeature f = byName(name);
      if (!f.settable()) {
        throw FerryException.invalid("features", "'" + name + "' is set by Ceph, not requested");
      }
      mask |= f.bit;
    }
    return mask;
  }

  public static RbdFeature byName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (RbdFeature f : values()) {
      if (f.cliName.equals(n)) {
        return f;
      }
    }
    throw FerryException.invalid("features", "unknown RBD feature '" + name + "'");
  }

  /** Names of the bits set in {@code mask}, in bit order. */
  public static List<String> names(long mask) {
    List<String> out = new ArrayList<>();
    for (RbdFeature f : values()) {
      if ((mask & f.bit) != 0) {
        out.add(f.cliName);
      }
    }
    return out;
  }
}
