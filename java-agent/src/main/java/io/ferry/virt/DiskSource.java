package io.ferry.virt;

/**
 * Where a guest disk's data lives, as libvirt names it: a file path, or an RBD {@code
 * pool/image}. Used to tell whether a definition points at the source or the destination.
 */
public record DiskSource(Kind kind, String location) {

  public enum Kind {
    FILE,
    RBD,
    OTHER
  }

  public static DiskSource file(String path) {
    return new DiskSource(Kind.FILE, path);
  }

  public static DiskSource rbd(String poolAndImage) {
    return new DiskSource(Kind.RBD, poolAndImage);
  }

  @Override
  public String toString() {
    return (kind == Kind.RBD ? "rbd:" : kind == Kind.FILE ? "file:" : "other:") + location;
  }
}
