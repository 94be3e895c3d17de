package io.ferry.config;

import java.nio.file.Path;

/** Relative paths in the config file are relative to the file's own directory. */
final class Paths2 {
  private Paths2() {}

  static Path under(Path base, Path p) {
    return p == null || base == null ? p : base.resolve(p).normalize();
  }
}
