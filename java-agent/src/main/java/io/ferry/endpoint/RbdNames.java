package io.ferry.endpoint;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.RbdImage;

/** Checks and spellings of RBD endpoint names, with messages that name the request field. */
final class RbdNames {

  private RbdNames() {}

  /** "cluster/pool[/namespace]/image". */
  static String spec(RbdImage r) {
    return r.getClusterId() + "/" + r.getPool() + "/"
        + (r.getNamespace().isEmpty() ? "" : r.getNamespace() + "/") + r.getImage();
  }

  static RbdImage check(RbdImage r, String field) {
    require(r.getClusterId(), field + ".rbd.cluster_id");
    require(r.getPool(), field + ".rbd.pool");
    require(r.getImage(), field + ".rbd.image");
    if (r.getImage().endsWith(RbdDestination.PART_SUFFIX)) {
      throw FerryException.invalid(field + ".rbd.image", "names ending in "
          + RbdDestination.PART_SUFFIX + " are Ferry's unfinished copies");
    }
    for (String part : new String[] {r.getPool(), r.getImage(), r.getNamespace(), r.getSnapshot()}) {
      if (part.contains("/") || part.contains("@") || part.indexOf('\0') >= 0) {
        throw FerryException.invalid(field + ".rbd", "'" + part + "' may not contain '/', '@' or NUL");
      }
    }
    return r;
  }

  static RbdImage destination(RbdImage r, String field) {
    check(r, field);
    if (!r.getSnapshot().isEmpty()) {
      throw FerryException.invalid(field + ".rbd.snapshot", "a destination cannot be a snapshot");
    }
    return r;
  }

  private static void require(String value, String field) {
    if (value.isEmpty()) {
      throw FerryException.invalid(field, "is required");
    }
  }

  /** Prefixes the request field to a binding error, keeping its reason. */
  static FerryException context(FerryException e, String field, RbdImage r) {
    if (e.getMessage().startsWith(field + ".")) {
      return e;
    }
    String hint = e.reason() == Reason.NOT_FOUND ? " (does " + spec(r) + " exist?)" : "";
    return new FerryException(e.reason(), field + ".rbd: " + e.getMessage() + hint, e);
  }
}
