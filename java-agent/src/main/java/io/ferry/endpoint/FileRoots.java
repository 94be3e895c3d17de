package io.ferry.endpoint;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.FileImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The directories file endpoints live in, by root id (from the agent's config), and the one
 * check that keeps every file path inside its root: relative, no {@code ..}, and — after
 * resolving symlinks — still under the root. A root named {@code default}, or the only root,
 * serves endpoints whose root is empty.
 */
public final class FileRoots {

  public static final String DEFAULT = "default";

  private final Map<String, Path> roots = new LinkedHashMap<>();

  /** {@code roots}: root id to directory; each directory must exist. */
  public FileRoots(Map<String, Path> roots) {
    for (Map.Entry<String, Path> e : roots.entrySet()) {
      try {
        this.roots.put(e.getKey(), e.getValue().toRealPath());
      } catch (IOException ex) {
        throw new IllegalArgumentException("file root '" + e.getKey() + "' (" + e.getValue()
            + ") is not an existing directory", ex);
      }
    }
  }

  public Set<String> ids() {
    return Collections.unmodifiableSet(roots.keySet());
  }

  /** The root id an endpoint names, with the default applied. */
  public String rootId(FileImage file, String field) {
    String id = file.getRoot();
    if (id.isEmpty()) {
      if (roots.containsKey(DEFAULT)) {
        return DEFAULT;
      }
      if (roots.size() == 1) {
        return roots.keySet().iterator().next();
      }
      throw FerryException.invalid(field + ".file.root", "is empty and this agent has no '"
          + DEFAULT + "' root; name one of " + roots.keySet());
    }
    if (!roots.containsKey(id)) {
      throw FerryException.invalid(field + ".file.root", "unknown root '" + id
          + "'; this agent has " + roots.keySet());
    }
    return id;
  }

  /**
   * The absolute, symlink-free path the endpoint names. Its parent directory must exist; the
   * file itself need not. Refuses (INVALID_ARGUMENT naming {@code FIELD.file.path}) absolute
   * paths, {@code ..} segments and anything that resolves outside the root.
   */
  public Path resolve(FileImage file, String field) {
    String id = rootId(file, field);
    Path root = roots.get(id);
    String f = field + ".file.path";
    String path = file.getPath();
    if (path.isEmpty()) {
      throw FerryException.invalid(f, "is empty; give a path relative to root '" + id + "'");
    }
    if (path.indexOf('\0') >= 0) {
      throw FerryException.invalid(f, "contains a NUL character");
    }
    if (path.startsWith("/") || Path.of(path).isAbsolute()) {
      throw FerryException.invalid(f, "must be relative to root '" + id + "', not absolute");
    }
    for (String segment : path.split("/")) {
      if (segment.equals("..")) {
        throw FerryException.invalid(f, "must not contain '..' (escapes root '" + id + "')");
      }
    }
    Path joined = root.resolve(path).normalize();
    if (joined.equals(root)) {
      throw FerryException.invalid(f, "names root '" + id + "' itself, not a file in it");
    }
    Path parent = realParent(joined, f, id);
    Path target = parent.resolve(joined.getFileName());
    if (Files.isSymbolicLink(target)) {
      target = realTarget(target, f, id);
    }
    if (!target.startsWith(root)) {
      throw FerryException.invalid(f, "escapes root '" + id + "'");
    }
    return target;
  }

  private Path realParent(Path joined, String field, String id) {
    Path root = roots.get(id);
    Path parent = joined.getParent();
    Path real;
    try {
      real = parent.toRealPath();
    } catch (IOException e) {
      throw new FerryException(Reason.NOT_FOUND, field + ": directory '" + root.relativize(parent)
          + "' does not exist in root '" + id + "'; create it first");
    }
    if (!real.startsWith(root)) {
      throw FerryException.invalid(field, "escapes root '" + id + "'");
    }
    return real;
  }

  private Path realTarget(Path link, String field, String id) {
    try {
      return link.toRealPath();
    } catch (IOException e) {
      // A dangling link: where it would point must still be inside the root.
      try {
        Path to = link.getParent().resolve(Files.readSymbolicLink(link)).normalize();
        return to.startsWith(roots.get(id)) ? to : to.toAbsolutePath();
      } catch (IOException ex) {
        throw FerryException.invalid(field, "cannot read symlink: " + ex.getMessage());
      }
    }
  }

  /** True when a regular file (not following links outside: already resolved) exists there. */
  static boolean exists(Path resolved) {
    return Files.exists(resolved, LinkOption.NOFOLLOW_LINKS);
  }
}
