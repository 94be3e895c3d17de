package io.ferry.format;

/** On-disk layouts Ferry reads and writes; the names follow the API's {@code DiskFormat}. */
public enum ImageFormat {
  RAW,
  QCOW2,
  VMDK,
  /** Virtual PC / Hyper-V VHD, qemu's "vpc". */
  VHD,
  VHDX;

  /** The name qemu-img uses for this format. */
  public String qemuName() {
    return this == VHD ? "vpc" : name().toLowerCase(java.util.Locale.ROOT);
  }
}
