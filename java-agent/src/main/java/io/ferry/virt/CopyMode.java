package io.ferry.virt;

/** QEMU mirror copy modes (libvirt exposes write-blocking as "synchronous writes"). */
public enum CopyMode {
  /** Guest writes mark regions dirty; the mirror copies them later. May never converge. */
  BACKGROUND,
  /** Guest writes complete only once written to both disks: converges, slows the guest. */
  WRITE_BLOCKING
}
