package io.ferry.format;

/**
 * How to lay out a new image. Zero or null fields take the format's default.
 *
 * @param clusterSize qcow2 cluster size (512 B..2 MiB, default 64 KiB), vmdk grain size
 *     (default 64 KiB), vhd block size (default 2 MiB)
 * @param compressed qcow2: compress full clusters written to unallocated space
 * @param compressionType qcow2: "zlib" (default) or "zstd"
 * @param subformat vhd: "dynamic" (default) or "fixed"; vmdk: "streamOptimized" (the only one)
 */
public record CreateOptions(
    int clusterSize, boolean compressed, String compressionType, String subformat) {

  public static final CreateOptions DEFAULTS = new CreateOptions(0, false, null, null);

  public CreateOptions withClusterSize(int size) {
    return new CreateOptions(size, compressed, compressionType, subformat);
  }

  public CreateOptions withCompression(String type) {
    return new CreateOptions(clusterSize, true, type, subformat);
  }

  public CreateOptions withSubformat(String sub) {
    return new CreateOptions(clusterSize, compressed, compressionType, sub);
  }
}
