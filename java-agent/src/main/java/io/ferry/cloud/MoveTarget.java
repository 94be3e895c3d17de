package io.ferry.cloud;

import io.ferry.error.FerryException;

/**
 * Where a volume should go: a Cinder host ("host@backend#pool", moved with os-migrate_volume)
 * or a volume type (moved with os-retype, migration policy on-demand).
 */
public record MoveTarget(Kind kind, String value) {

  public enum Kind { HOST, TYPE }

  public static MoveTarget parse(String to) {
    if (to == null || to.isBlank()) {
      throw FerryException.invalid("--to", "missing: give a volume type or host@backend#pool");
    }
    return to.contains("@") ? new MoveTarget(Kind.HOST, to) : new MoveTarget(Kind.TYPE, to);
  }

  public static MoveTarget host(String host) {
    return new MoveTarget(Kind.HOST, host);
  }

  public static MoveTarget type(String type) {
    return new MoveTarget(Kind.TYPE, type);
  }

  /** Whether a HOST target names this pool (or, without "#pool", any pool of the backend). */
  public boolean matchesPool(String poolName) {
    if (kind != Kind.HOST || poolName == null) {
      return false;
    }
    return value.contains("#") ? value.equals(poolName) : poolName.split("#", 2)[0].equals(value);
  }

  @Override
  public String toString() {
    return (kind == Kind.HOST ? "host " : "type ") + value;
  }
}
